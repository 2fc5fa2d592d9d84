import { parseIdx } from './idx';
import { idxBytes } from './testing/fixtures';

describe('parseIdx', () => {
  it('reads the dimensions and the data of a valid file', () => {
    const parsed = parseIdx(idxBytes([2, 2, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]), 'x', 3);
    expect(parsed.dims).toEqual([2, 2, 3]);
    expect(Array.from(parsed.data)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });

  it('names a gzip file instead of just a bad magic number', () => {
    expect(() => parseIdx(Uint8Array.from([0x1f, 0x8b, 8, 0, 0, 0]), 'x.gz', 1)).toThrow(
      'x.gz: bad magic number 0x1f8b0800: expected 0x00000801 (this is a gzip file: gunzip it first)',
    );
  });

  it('rejects a header shorter than its dimension sizes', () => {
    expect(() => parseIdx(Uint8Array.from([0, 0, 8, 3, 0, 0]), 'x', 3)).toThrow(
      'x: truncated header: 3 dimensions need 16 bytes but the file holds 6',
    );
  });
});
