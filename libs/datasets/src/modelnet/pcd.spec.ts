import { pcdBytes } from '../testing/fixtures';
import { encodePcdBinary, parsePcd } from './pcd';

const cloud = [
  [0.5, -1.25, 2],
  [3, 4, 5],
  [-6.5, 7, 8.25],
];

function header(lines: Record<string, string>, data = 'ascii'): string {
  const defaults: Record<string, string> = {
    VERSION: '0.7',
    FIELDS: 'x y z',
    SIZE: '4 4 4',
    TYPE: 'F F F',
    COUNT: '1 1 1',
    WIDTH: '1',
    HEIGHT: '1',
    VIEWPOINT: '0 0 0 1 0 0 0',
    POINTS: '1',
  };
  const merged = { ...defaults, ...lines };
  return (
    Object.entries(merged)
      .filter(([, value]) => value !== '')
      .map(([key, value]) => `${key} ${value}\n`)
      .join('') + `DATA ${data}\n`
  );
}

describe('parsePcd', () => {
  it.each(['ascii', 'binary'] as const)('reads DATA %s', (data) => {
    expect(Array.from(parsePcd(pcdBytes(cloud, data)))).toEqual(cloud.flat());
  });

  it.each(['ascii', 'binary'] as const)('skips extra fields in DATA %s', (data) => {
    const withExtras = cloud.map(([x, y, z], i) => [i, z, x, 0.25, y, 1]);
    const bytes = pcdBytes(withExtras, data, ['intensity', 'z', 'x', 'normal_x', 'y', 'rgb']);
    expect(Array.from(parsePcd(bytes))).toEqual(cloud.flat());
  });

  it('reads float64 coordinates and mixed field sizes in binary', () => {
    const head = header(
      {
        FIELDS: 'x y z label',
        SIZE: '8 8 8 2',
        TYPE: 'F F F U',
        COUNT: '1 1 1 1',
        WIDTH: '2',
        POINTS: '2',
      },
      'binary',
    );
    const body = Buffer.alloc(2 * 26);
    [
      [1.5, 2.5, 3.5],
      [4, 5, 6],
    ].forEach((p, i) => {
      p.forEach((v, axis) => body.writeDoubleLE(v, i * 26 + axis * 8));
      body.writeUInt16LE(7, i * 26 + 24);
    });
    expect(Array.from(parsePcd(Buffer.concat([Buffer.from(head), body])))).toEqual([
      1.5, 2.5, 3.5, 4, 5, 6,
    ]);
  });

  it('drops points with NaN coordinates (PCL invalid points)', () => {
    const text = header({ WIDTH: '3', POINTS: '3' }) + '1 2 3\nnan nan nan\n4 5 6\n';
    expect(Array.from(parsePcd(Buffer.from(text)))).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it.each([
    [header({}, 'binary_compressed'), 'bad.pcd:10: unsupported DATA binary_compressed'],
    [header({}, 'hex'), "bad.pcd:10: unsupported DATA 'hex': expected ascii or binary"],
    ['VERSION 0.7\nFIELDS x y z\n', 'bad.pcd: not a PCD file: header has no DATA line'],
    [header({ FIELDS: '' }) + '1 2 3\n', 'bad.pcd: PCD header is missing FIELDS'],
    [header({ WIDTH: '' }) + '1 2 3\n', 'bad.pcd: PCD header is missing WIDTH'],
    [
      header({ FIELDS: 'x y', SIZE: '4 4', TYPE: 'F F', COUNT: '1 1' }) + '1 2\n',
      "bad.pcd: missing field(s) z: FIELDS is 'x y', x y z are required",
    ],
    [header({ SIZE: '4 4' }) + '1 2 3\n', 'bad.pcd:3: SIZE lists 2 values but FIELDS lists 3'],
    [
      header({ TYPE: 'F F I' }) + '1 2 3\n',
      'bad.pcd: field z must be a float32 or float64 scalar (TYPE F, SIZE 4 or 8, COUNT 1), found TYPE I SIZE 4 COUNT 1',
    ],
    [
      header({ POINTS: '2' }) + '1 2 3\n',
      'bad.pcd:9: POINTS mismatch: POINTS is 2 but WIDTH x HEIGHT is 1 x 1 = 1',
    ],
    [
      header({ WIDTH: '2', POINTS: '2' }) + '1 2 3\n',
      'bad.pcd: truncated data: POINTS is 2 but the file holds 1 points',
    ],
    [
      header({}) + '1 2 3\n4 5 6\n',
      'bad.pcd:12: POINTS mismatch: POINTS is 1 but the data holds more points',
    ],
    [header({}) + '1 2\n', 'bad.pcd:11: point 0 has 2 values, FIELDS/COUNT declare 3'],
    [header({}) + '1 two 3\n', "bad.pcd:11: point 0: 'two' is not a number"],
    [
      header({ WIDTH: 'many' }) + '1 2 3\n',
      "bad.pcd:6: WIDTH: 'many' is not a non-negative integer",
    ],
  ])('rejects malformed input %#', (text, message) => {
    expect(() => parsePcd(Buffer.from(text), 'bad.pcd')).toThrow(message);
  });

  it('rejects truncated and oversized binary data', () => {
    const bytes = pcdBytes(cloud, 'binary');
    expect(() => parsePcd(bytes.subarray(0, bytes.length - 5), 'bad.pcd')).toThrow(
      'bad.pcd: truncated data: 3 points x 12 bytes = 36 bytes expected after the header but the file holds 31',
    );
    expect(() => parsePcd(Buffer.concat([bytes, Buffer.alloc(12)]), 'bad.pcd')).toThrow(
      'bad.pcd: POINTS mismatch: 3 points x 12 bytes = 36 bytes expected after the header but the file holds 48',
    );
  });
});

describe('encodePcdBinary', () => {
  it('writes a binary PCD that parsePcd reads back exactly, and the same bytes as PCL-style fixtures', () => {
    const points = Float32Array.from(cloud.flat());
    const bytes = encodePcdBinary(points);
    expect(parsePcd(bytes, 'round-trip.pcd')).toEqual(points);
    expect(bytes).toEqual(Buffer.from(pcdBytes(cloud, 'binary')));
    expect(() => encodePcdBinary(new Float32Array(4))).toThrow('x y z triples');
  });
});
