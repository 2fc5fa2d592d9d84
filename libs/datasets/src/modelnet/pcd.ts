import { DatasetFormatError } from '../errors';

/**
 * Parses a PCD v0.7 point cloud (the Point Cloud Library's format) and returns x y z per point.
 *
 * Header lines: VERSION, FIELDS, SIZE, TYPE, COUNT (optional, default 1 each), WIDTH, HEIGHT,
 * VIEWPOINT (ignored), POINTS (optional, must equal WIDTH * HEIGHT), DATA ascii | binary.
 * Fields x y z must be present as floats (TYPE F, SIZE 4 or 8, COUNT 1); any other field
 * (normal_x, rgb, intensity...) is skipped. Binary data is little-endian, as PCL writes it.
 * Points with a NaN coordinate (PCL's marker of an invalid point) are dropped.
 */
export function parsePcd(bytes: Uint8Array, fileName = '<pcd>'): Float32Array {
  const header = readHeader(bytes, fileName);
  const layout = fieldLayout(header, fileName);
  if (header.data === 'ascii') return parseAscii(bytes, header, layout, fileName);
  if (header.data === 'binary') return parseBinary(bytes, header, layout, fileName);
  if (header.data === 'binary_compressed') {
    throw new DatasetFormatError(
      fileName,
      'unsupported DATA binary_compressed: convert the file to binary or ascii first (PCL: `pcl_convert_pcd_ascii_binary in.pcd out.pcd 1`)',
      header.dataLine,
    );
  }
  throw new DatasetFormatError(
    fileName,
    `unsupported DATA '${header.data}': expected ascii or binary`,
    header.dataLine,
  );
}

interface PcdHeader {
  fields: string[];
  sizes: number[];
  types: string[];
  counts: number[];
  points: number;
  data: string;
  dataLine: number;
  /** Byte offset of the first data byte (just after the DATA line). */
  dataOffset: number;
}

/** Where x, y and z sit in a point record. */
interface FieldLayout {
  /** Values per point (sum of COUNT) for ascii; value index of x, y, z. */
  valuesPerPoint: number;
  valueIndex: [number, number, number];
  /** Bytes per point for binary; byte offset and size of x, y, z. */
  pointStride: number;
  byteOffset: [number, number, number];
  byteSize: [number, number, number];
}

/** The header ends with the DATA line; PCD headers are ASCII and short. */
function readHeader(bytes: Uint8Array, fileName: string): PcdHeader {
  const entries = new Map<string, { values: string[]; line: number }>();
  let offset = 0;
  let line = 0;
  while (offset < bytes.length) {
    let end = bytes.indexOf(0x0a, offset);
    if (end < 0) end = bytes.length;
    line++;
    const text = Buffer.from(bytes.buffer, bytes.byteOffset + offset, end - offset).toString(
      'latin1',
    );
    offset = end + 1;
    const content = text.trim();
    if (content === '' || content.startsWith('#')) continue;
    const [key, ...values] = content.split(/\s+/);
    const upperKey = key.toUpperCase();
    entries.set(upperKey, { values, line });
    if (upperKey === 'DATA') break;
    if (line > 1000) break; // not a PCD file: avoid scanning megabytes of binary
  }
  const data = entries.get('DATA');
  if (!data) throw new DatasetFormatError(fileName, 'not a PCD file: header has no DATA line');

  const required = (key: string): string[] => {
    const entry = entries.get(key);
    if (!entry || entry.values.length === 0) {
      throw new DatasetFormatError(fileName, `PCD header is missing ${key}`);
    }
    return entry.values;
  };
  const fields = required('FIELDS');
  const types = required('TYPE').map((t) => t.toUpperCase());
  const sizes = required('SIZE').map((s) =>
    headerInteger(s, 'SIZE', entries.get('SIZE')?.line, fileName),
  );
  const counts = entries.has('COUNT')
    ? required('COUNT').map((c) => headerInteger(c, 'COUNT', entries.get('COUNT')?.line, fileName))
    : fields.map(() => 1);
  for (const [key, list] of [
    ['SIZE', sizes],
    ['TYPE', types],
    ['COUNT', counts],
  ] as const) {
    if (list.length !== fields.length) {
      throw new DatasetFormatError(
        fileName,
        `${key} lists ${list.length} values but FIELDS lists ${fields.length}`,
        entries.get(key)?.line,
      );
    }
  }
  const width = headerInteger(required('WIDTH')[0], 'WIDTH', entries.get('WIDTH')?.line, fileName);
  const height = headerInteger(
    required('HEIGHT')[0],
    'HEIGHT',
    entries.get('HEIGHT')?.line,
    fileName,
  );
  const pointsEntry = entries.get('POINTS');
  const points = pointsEntry
    ? headerInteger(pointsEntry.values[0] ?? '', 'POINTS', pointsEntry.line, fileName)
    : width * height;
  if (points !== width * height) {
    throw new DatasetFormatError(
      fileName,
      `POINTS mismatch: POINTS is ${points} but WIDTH x HEIGHT is ${width} x ${height} = ${width * height}`,
      pointsEntry?.line,
    );
  }
  return {
    fields,
    sizes,
    types,
    counts,
    points,
    data: (data.values[0] ?? '').toLowerCase(),
    dataLine: data.line,
    dataOffset: Math.min(offset, bytes.length),
  };
}

function headerInteger(
  token: string,
  key: string,
  line: number | undefined,
  fileName: string,
): number {
  if (!/^\d+$/.test(token)) {
    throw new DatasetFormatError(
      fileName,
      `${key}: '${token}' is not a non-negative integer`,
      line,
    );
  }
  return Number(token);
}

function fieldLayout(header: PcdHeader, fileName: string): FieldLayout {
  const valueIndex: [number, number, number] = [0, 0, 0];
  const byteOffset: [number, number, number] = [0, 0, 0];
  const byteSize: [number, number, number] = [0, 0, 0];
  const found = [false, false, false];
  let values = 0;
  let bytes = 0;
  header.fields.forEach((field, f) => {
    const axis = ['x', 'y', 'z'].indexOf(field);
    if (axis >= 0) {
      if (
        header.types[f] !== 'F' ||
        (header.sizes[f] !== 4 && header.sizes[f] !== 8) ||
        header.counts[f] !== 1
      ) {
        throw new DatasetFormatError(
          fileName,
          `field ${field} must be a float32 or float64 scalar (TYPE F, SIZE 4 or 8, COUNT 1), found TYPE ${header.types[f]} SIZE ${header.sizes[f]} COUNT ${header.counts[f]}`,
        );
      }
      found[axis] = true;
      valueIndex[axis] = values;
      byteOffset[axis] = bytes;
      byteSize[axis] = header.sizes[f];
    }
    values += header.counts[f];
    bytes += header.sizes[f] * header.counts[f];
  });
  const missing = ['x', 'y', 'z'].filter((_, axis) => !found[axis]);
  if (missing.length > 0) {
    throw new DatasetFormatError(
      fileName,
      `missing field(s) ${missing.join(' ')}: FIELDS is '${header.fields.join(' ')}', x y z are required`,
    );
  }
  return { valuesPerPoint: values, valueIndex, pointStride: bytes, byteOffset, byteSize };
}

function parseBinary(
  bytes: Uint8Array,
  header: PcdHeader,
  layout: FieldLayout,
  fileName: string,
): Float32Array {
  const available = bytes.length - header.dataOffset;
  const needed = header.points * layout.pointStride;
  if (available !== needed) {
    const problem = available < needed ? 'truncated data' : 'POINTS mismatch';
    throw new DatasetFormatError(
      fileName,
      `${problem}: ${header.points} points x ${layout.pointStride} bytes = ${needed} bytes expected after the header but the file holds ${available}`,
    );
  }
  const out = new Float32Array(header.points * 3);
  if (isFloat32Aligned(layout))
    return readFloat32Aligned(bytes.subarray(header.dataOffset), header.points, layout, out);
  const view = new DataView(bytes.buffer, bytes.byteOffset + header.dataOffset, needed);
  let kept = 0;
  for (let p = 0; p < header.points; p++) {
    const base = p * layout.pointStride;
    for (let axis = 0; axis < 3; axis++) {
      const at = base + layout.byteOffset[axis];
      out[kept * 3 + axis] =
        layout.byteSize[axis] === 4 ? view.getFloat32(at, true) : view.getFloat64(at, true);
    }
    if (isFinitePoint(out, kept)) kept++;
  }
  return kept === header.points ? out : out.slice(0, kept * 3);
}

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** The common case (x y z float32 on 4-byte boundaries) is read through a Float32Array: ~10x faster than DataView. */
function isFloat32Aligned(layout: FieldLayout): boolean {
  return (
    LITTLE_ENDIAN_HOST &&
    layout.pointStride % 4 === 0 &&
    layout.byteSize.every((size) => size === 4) &&
    layout.byteOffset.every((offset) => offset % 4 === 0)
  );
}

function readFloat32Aligned(
  data: Uint8Array,
  points: number,
  layout: FieldLayout,
  out: Float32Array,
): Float32Array {
  // copy once so the floats are 4-byte aligned whatever the header length
  const aligned = new Float32Array(points * (layout.pointStride / 4));
  new Uint8Array(aligned.buffer).set(data.subarray(0, aligned.byteLength));
  const stride = layout.pointStride / 4;
  const [ox, oy, oz] = layout.byteOffset.map((offset) => offset / 4);
  let kept = 0;
  for (let p = 0; p < points; p++) {
    out[kept * 3] = aligned[p * stride + ox];
    out[kept * 3 + 1] = aligned[p * stride + oy];
    out[kept * 3 + 2] = aligned[p * stride + oz];
    if (isFinitePoint(out, kept)) kept++;
  }
  return kept === points ? out : out.slice(0, kept * 3);
}

function parseAscii(
  bytes: Uint8Array,
  header: PcdHeader,
  layout: FieldLayout,
  fileName: string,
): Float32Array {
  const text = Buffer.from(
    bytes.buffer,
    bytes.byteOffset + header.dataOffset,
    bytes.length - header.dataOffset,
  ).toString('latin1');
  const lines = text.split('\n');
  const out = new Float32Array(header.points * 3);
  let kept = 0;
  let read = 0;
  let lastLine = -1;
  for (let l = 0; l < lines.length && read < header.points; l++) {
    const content = lines[l].trim();
    if (content === '') continue;
    lastLine = l;
    const line = header.dataLine + 1 + l;
    const tokens = content.split(/\s+/);
    if (tokens.length < layout.valuesPerPoint) {
      throw new DatasetFormatError(
        fileName,
        `point ${read} has ${tokens.length} values, FIELDS/COUNT declare ${layout.valuesPerPoint}`,
        line,
      );
    }
    for (let axis = 0; axis < 3; axis++) {
      const token = tokens[layout.valueIndex[axis]];
      const value = Number(token);
      if (Number.isNaN(value) && token.toLowerCase() !== 'nan') {
        throw new DatasetFormatError(fileName, `point ${read}: '${token}' is not a number`, line);
      }
      out[kept * 3 + axis] = value;
    }
    read++;
    if (isFinitePoint(out, kept)) kept++;
  }
  const extra = lines.slice(lastLine + 1).findIndex((l) => l.trim() !== '');
  if (extra >= 0) {
    throw new DatasetFormatError(
      fileName,
      `POINTS mismatch: POINTS is ${header.points} but the data holds more points`,
      header.dataLine + 2 + lastLine + extra,
    );
  }
  if (read < header.points) {
    throw new DatasetFormatError(
      fileName,
      `truncated data: POINTS is ${header.points} but the file holds ${read} points`,
    );
  }
  return kept === header.points ? out : out.slice(0, kept * 3);
}

/**
 * v - v is 0 for a finite v and NaN for NaN or +-Infinity. Avoids a global (Number.isFinite) lookup per
 * coordinate, which costs ~30x inside jest's vm sandbox.
 */
function isFinitePoint(xyz: Float32Array, point: number): boolean {
  const x = xyz[point * 3];
  const y = xyz[point * 3 + 1];
  const z = xyz[point * 3 + 2];
  return x - x === 0 && y - y === 0 && z - z === 0;
}

/**
 * A PCD v0.7 file holding `points` (x y z per point) as `DATA binary` float32, little-endian: the
 * layout parsePcd reads fastest, and the one PCL writes.
 */
export function encodePcdBinary(points: Float32Array): Buffer {
  if (points.length % 3 !== 0) {
    throw new RangeError(`points must hold x y z triples, got ${points.length} values`);
  }
  const count = points.length / 3;
  const header = [
    '# .PCD v0.7 - Point Cloud Data file format',
    'VERSION 0.7',
    'FIELDS x y z',
    'SIZE 4 4 4',
    'TYPE F F F',
    'COUNT 1 1 1',
    `WIDTH ${count}`,
    'HEIGHT 1',
    'VIEWPOINT 0 0 0 1 0 0 0',
    `POINTS ${count}`,
    'DATA binary',
    '',
  ].join('\n');
  const body = Buffer.alloc(points.length * 4);
  for (let i = 0; i < points.length; i++) body.writeFloatLE(points[i], i * 4);
  return Buffer.concat([Buffer.from(header, 'latin1'), body]);
}
