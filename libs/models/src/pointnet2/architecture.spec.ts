import { layerMacs } from '../resnet/architecture';
import { POINTNET2_MODELNET10_SPEC, pointNetLayout, pointNetMacs } from './architecture';

describe('pointnet2-modelnet10 layout', () => {
  const layout = pointNetLayout(POINTNET2_MODELNET10_SPEC);

  it('runs every shared MLP layer as a 1x1 conv over the grouped points', () => {
    const sa1 = layout.levels[0].layers;
    expect(sa1.map((l) => [l.kind, l.kernel, l.inChannels, l.outChannels])).toEqual([
      ['conv', 1, 6, 32], // offset / radius + absolute xyz
      ['conv', 1, 32, 32],
      ['conv', 1, 32, 64],
    ]);
    expect([sa1[0].outHeight, sa1[0].outWidth]).toEqual([256, 32]);
    expect(layout.levels[1].layers[0]).toMatchObject({ inChannels: 3 + 64, outHeight: 64 });
    expect(layout.global.layers[0]).toMatchObject({
      inChannels: 3 + 128,
      outHeight: 1,
      outWidth: 64,
    });
    expect(layout.exits.map((e) => [e.projection.inChannels, e.projection.outChannels])).toEqual([
      [128, 128],
      [256, 128],
    ]);
    expect(layout.head.map((l) => [l.inChannels, l.outChannels, l.batchNorm])).toEqual([
      [1024, 256, 'head.fc1.bn'],
      [256, 10, undefined],
    ]);
  });

  it('has the analytic MAC counts and the compute before each exit', () => {
    const macs = pointNetMacs(layout);
    // SA1: 256 x 32 grouped points x (6*32 + 32*32 + 32*64); SA2: 64 x 32 x (67*64 + 64*64 +
    // 64*128); global: 64 points x (131*128 + 128*256 + 256*1024); head: 1024*256 + 256*10.
    expect(macs.stages).toEqual([
      256 * 32 * (6 * 32 + 32 * 32 + 32 * 64),
      64 * 32 * (67 * 64 + 64 * 64 + 64 * 128),
      64 * (131 * 128 + 128 * 256 + 256 * 1024),
    ]);
    expect(macs.head).toBe(1024 * 256 + 256 * 10);
    expect(macs.total).toBe(80_898_560);
    expect(macs.exits).toEqual([128 * 128, 256 * 128]);
    expect(macs.beforeExit[0]).toBeCloseTo(0.3305, 4);
    expect(macs.beforeExit[1]).toBeCloseTo(0.7502, 4);
    const static_ = layout.weightLayers
      .filter((l) => l.segment.kind !== 'exit')
      .reduce((sum, l) => sum + layerMacs(l), 0);
    expect(static_).toBe(macs.total);
  });

  it('rejects inconsistent specs', () => {
    const spec = POINTNET2_MODELNET10_SPEC;
    expect(() =>
      pointNetLayout({ ...spec, levels: [{ ...spec.levels[0], npoint: 2048 }] }),
    ).toThrow(/samples 2048 centroids from 1024 points/);
    expect(() =>
      pointNetLayout({ ...spec, exits: [{ afterStage: 2, semanticDim: 8, pooling: 'max' }] }),
    ).toThrow(/exit 1 reads level 2/);
    expect(() => pointNetLayout({ ...spec, globalMlp: [] })).toThrow(/empty MLP/);
  });
});
