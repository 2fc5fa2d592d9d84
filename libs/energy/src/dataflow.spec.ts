import { weightStationaryAccesses } from './dataflow';

const ARRAY_16X16 = { peRows: 16, peCols: 16 };

describe('weightStationaryAccesses', () => {
  it('counts a small conv by hand: 3x3, 2 -> 4 channels, 4x4 output, on 16x16 PEs', () => {
    // positions P = 16, rows R = 3*3*2 = 18, cols C = 4: 2 row tiles (16 + 2), 1 column tile.
    const accesses = weightStationaryAccesses(
      { positions: 16, rows: 18, cols: 4 },
      ARRAY_16X16,
      false,
    );
    expect(accesses).toEqual({
      macs: 1152, // 16 * 18 * 4
      weightDramReads: 0, // weights resident on chip
      weightBufferReads: 72, // 18 * 4 weights, each once per pass
      weightRegisterFileWrites: 72,
      weightRegisterFileReads: 1152, // one per MAC
      inputBufferReads: 288, // 16 positions * 18 operands * 1 column tile
      inputArrayTransfers: 1152, // one delivery per MAC
      inputRegisterFileReads: 1152,
      psumArrayTransfers: 1024, // 16 * 4 outputs * (18 rows - 2 row tiles)
      psumBufferReads: 64, // 16 * 4 outputs * (2 - 1) continued tiles
      psumBufferWrites: 128, // 16 * 4 outputs * 2 row tiles (the last is the output)
    });
  });

  it('counts a small dense layer by hand: 20 -> 24 on 16x16 PEs, weights from DRAM', () => {
    // P = 1, R = 20 (2 row tiles), C = 24 (2 column tiles): no weight reuse at all.
    const accesses = weightStationaryAccesses(
      { positions: 1, rows: 20, cols: 24 },
      ARRAY_16X16,
      true,
    );
    expect(accesses).toEqual({
      macs: 480,
      weightDramReads: 480,
      weightBufferReads: 480,
      weightRegisterFileWrites: 480,
      weightRegisterFileReads: 480,
      inputBufferReads: 40, // 20 inputs, fetched once per column tile
      inputArrayTransfers: 480,
      inputRegisterFileReads: 480,
      psumArrayTransfers: 432, // 24 * (20 - 2)
      psumBufferReads: 24, // 24 * (2 - 1)
      psumBufferWrites: 48, // 24 * 2
    });
  });

  it('rejects shapes that are not positive integers', () => {
    expect(() =>
      weightStationaryAccesses({ positions: 0, rows: 1, cols: 1 }, ARRAY_16X16, false),
    ).toThrow('dataflow: positions must be a positive integer, got 0');
    expect(() =>
      weightStationaryAccesses(
        { positions: 1, rows: 1, cols: 1 },
        { peRows: 1.5, peCols: 1 },
        false,
      ),
    ).toThrow(/peRows must be a positive integer/);
  });
});
