import { DatasetFormatError } from './errors';

/** An IDX array (the format of the MNIST files): its dimension sizes and row-major bytes. */
export interface IdxArray {
  dims: number[];
  /** A view into the file's buffer (no copy). */
  data: Uint8Array;
}

/** The only IDX data type MNIST uses. */
const UNSIGNED_BYTE = 0x08;

const IDX_TYPE_NAMES: Record<number, string> = {
  0x08: 'unsigned byte',
  0x09: 'signed byte',
  0x0b: 'int16',
  0x0c: 'int32',
  0x0d: 'float32',
  0x0e: 'float64',
};

/**
 * Parses an unsigned-byte IDX file. Layout: magic number (two zero bytes, the data type, the number
 * of dimensions), one big-endian uint32 size per dimension, then the data. The file length must be
 * exactly header + product of the sizes: a truncated download or trailing garbage is an error.
 */
export function parseIdx(
  bytes: Uint8Array,
  fileName: string,
  expectedDimensions: number,
): IdxArray {
  const expectedMagic = `0x${hex32(UNSIGNED_BYTE * 256 + expectedDimensions)}`;
  if (bytes.length < 4) {
    throw new DatasetFormatError(
      fileName,
      `truncated: ${bytes.length} bytes, too short for an IDX header`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    const gzipHint =
      bytes[0] === 0x1f && bytes[1] === 0x8b ? ' (this is a gzip file: gunzip it first)' : '';
    throw new DatasetFormatError(
      fileName,
      `bad magic number 0x${hex32(magic)}: expected ${expectedMagic}${gzipHint}`,
    );
  }
  const dataType = bytes[2];
  if (dataType !== UNSIGNED_BYTE) {
    const typeName = IDX_TYPE_NAMES[dataType] ?? 'unknown';
    throw new DatasetFormatError(
      fileName,
      `unsupported data type 0x${hex8(dataType)} (${typeName}): expected 0x08 (unsigned byte), magic ${expectedMagic}`,
    );
  }
  const dimensionCount = bytes[3];
  if (dimensionCount !== expectedDimensions) {
    throw new DatasetFormatError(
      fileName,
      `expected ${expectedDimensions} dimension(s) (magic ${expectedMagic}) but the header declares ${dimensionCount}`,
    );
  }
  const headerLength = 4 + 4 * dimensionCount;
  if (bytes.length < headerLength) {
    throw new DatasetFormatError(
      fileName,
      `truncated header: ${dimensionCount} dimensions need ${headerLength} bytes but the file holds ${bytes.length}`,
    );
  }
  const dims: number[] = [];
  for (let d = 0; d < dimensionCount; d++) dims.push(view.getUint32(4 + 4 * d, false));
  const dataLength = dims.reduce((product, size) => product * size, 1);
  const actualLength = bytes.length - headerLength;
  if (actualLength !== dataLength) {
    const problem = actualLength < dataLength ? 'truncated' : 'trailing garbage';
    const extra = actualLength > dataLength ? ` (${actualLength - dataLength} extra bytes)` : '';
    throw new DatasetFormatError(
      fileName,
      `${problem}: header says ${dims.join('x')} = ${dataLength} bytes of data but the file holds ${actualLength}${extra}`,
    );
  }
  return { dims, data: bytes.subarray(headerLength) };
}

function hex32(value: number): string {
  return (value >>> 0).toString(16).padStart(8, '0');
}

function hex8(value: number): string {
  return value.toString(16).padStart(2, '0');
}
