import { RESNET_MNIST_SPEC, gridPoolWindow, layerMacs, resnetLayout } from './architecture';

describe('resnet-mnist layout', () => {
  const layout = resnetLayout(RESNET_MNIST_SPEC);

  it('has the analytic MAC count of the static network (about 40 MFLOP per image)', () => {
    const staticMacs = layout.weightLayers
      .filter((l) => l.segment.kind !== 'exit')
      .reduce((sum, l) => sum + layerMacs(l), 0);
    // Hand count: stem 28*28*9*1*16; stage 1: 4 x 28*28*9*16*16; stage 2: 14*14*9*16*32 +
    // 3 x 14*14*9*32*32 + shortcut 14*14*16*32; stage 3 likewise at 7x7 and 64 channels; head 64*10.
    const expected =
      112_896 +
      4 * 1_806_336 +
      903_168 +
      3 * 1_806_336 +
      100_352 +
      903_168 +
      3 * 1_806_336 +
      100_352 +
      640;
    expect(staticMacs).toBe(expected);
    expect(expected).toBe(20_183_936);
  });

  it('puts exits after stages 1 and 2 with 128-dimension projections of 4x4 pooled features', () => {
    expect(layout.exits.map((e) => [e.projection.inChannels, e.projection.outChannels])).toEqual([
      [4 * 4 * 16, 128],
      [4 * 4 * 32, 128],
    ]);
    expect(layout.exits.map((e) => e.pool)).toEqual([
      { kernel: 7, stride: 7 },
      { kernel: 5, stride: 3 },
    ]);
  });

  it('pools any size onto the grid with windows that cover the whole map', () => {
    for (const size of [4, 7, 14, 28, 9]) {
      const { kernel, stride } = gridPoolWindow(size, 4);
      expect((4 - 1) * stride + kernel).toBe(size);
    }
    expect(() => gridPoolWindow(3, 4)).toThrow(/cannot pool a 3x3 map to a 4x4 grid/);
  });
});
