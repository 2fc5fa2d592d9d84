import { DatasetFormatError } from '../errors';

/** A triangle mesh: vertex coordinates (x y z per vertex) and vertex indices (3 per triangle). */
export interface TriangleMesh {
  vertices: Float64Array;
  triangles: Uint32Array;
}

/**
 * Parses an OFF mesh (the format of the official ModelNet files):
 *
 *     OFF
 *     <vertexCount> <faceCount> <edgeCount>
 *     x y z                       (vertexCount lines)
 *     n i0 i1 ... i(n-1)          (faceCount lines, n >= 3)
 *
 * Also accepts the malformed header of many ModelNet files where the counts follow `OFF` on the
 * same line (`OFF490 518 0`), `#` comments and blank lines. Extra values after a vertex or a face
 * (colours) are ignored. Polygons are triangulated as a fan (i0, ik, ik+1).
 */
export function parseOff(text: string, fileName = '<off>'): TriangleMesh {
  const lines = new OffLines(text, fileName);

  const header = lines.next();
  if (!header || !/^OFF(\d|$)/.test(header.tokens[0])) {
    const found = header ? `'${header.tokens.join(' ')}'` : 'an empty file';
    throw new DatasetFormatError(
      fileName,
      `bad header: expected 'OFF', found ${found}`,
      header?.line ?? 1,
    );
  }
  // `OFF490 518 0` -> ['490', '518', '0']; `OFF` alone -> the counts are on the next line
  const sameLine = [header.tokens[0].slice(3), ...header.tokens.slice(1)].filter((t) => t !== '');
  const counts = sameLine.length > 0 ? { tokens: sameLine, line: header.line } : lines.next();
  if (!counts) throw lines.truncated('the vertex and face counts');
  if (counts.tokens.length < 2) {
    throw new DatasetFormatError(
      fileName,
      `bad header: expected '<vertexCount> <faceCount> <edgeCount>', found '${counts.tokens.join(' ')}'`,
      counts.line,
    );
  }
  const vertexCount = lines.integer(counts.tokens[0], counts.line, 'vertex count');
  const faceCount = lines.integer(counts.tokens[1], counts.line, 'face count');
  if (vertexCount < 3 || faceCount < 1) {
    throw new DatasetFormatError(
      fileName,
      `too few vertices/faces: a mesh needs at least 3 vertices and 1 face, the header declares ${vertexCount} vertices and ${faceCount} faces`,
      counts.line,
    );
  }

  const vertices = new Float64Array(vertexCount * 3);
  for (let v = 0; v < vertexCount; v++) {
    const entry = lines.next();
    if (!entry) throw lines.truncated(`${vertexCount} vertices (found ${v})`);
    if (entry.tokens.length < 3) {
      throw new DatasetFormatError(
        fileName,
        `vertex ${v} needs 3 coordinates, found '${entry.tokens.join(' ')}'`,
        entry.line,
      );
    }
    for (let axis = 0; axis < 3; axis++) {
      vertices[v * 3 + axis] = lines.number(
        entry.tokens[axis],
        entry.line,
        `vertex ${v} coordinate`,
      );
    }
  }

  const triangles: number[] = [];
  for (let f = 0; f < faceCount; f++) {
    const entry = lines.next();
    if (!entry) throw lines.truncated(`${faceCount} faces (found ${f})`);
    const size = lines.integer(entry.tokens[0], entry.line, `face ${f} vertex count`);
    if (size < 3) {
      throw new DatasetFormatError(
        fileName,
        `face ${f} has ${size} vertices, a face needs at least 3`,
        entry.line,
      );
    }
    if (entry.tokens.length < size + 1) {
      throw new DatasetFormatError(
        fileName,
        `face ${f} declares ${size} vertices but lists ${entry.tokens.length - 1}`,
        entry.line,
      );
    }
    const corners: number[] = [];
    for (let k = 1; k <= size; k++) {
      const index = lines.integer(entry.tokens[k], entry.line, `face ${f} vertex index`);
      if (index >= vertexCount) {
        throw new DatasetFormatError(
          fileName,
          `face ${f} vertex index ${index} out of range 0..${vertexCount - 1}`,
          entry.line,
        );
      }
      corners.push(index);
    }
    for (let k = 1; k + 1 < size; k++) triangles.push(corners[0], corners[k], corners[k + 1]);
  }
  // Anything after the declared faces is ignored, as other OFF readers do.
  return { vertices, triangles: Uint32Array.from(triangles) };
}

interface OffLine {
  tokens: string[];
  line: number;
}

/** Iterates the meaningful lines of an OFF file (comments stripped, blank lines skipped). */
class OffLines {
  private readonly lines: string[];
  private index = 0;

  constructor(
    text: string,
    private readonly fileName: string,
  ) {
    this.lines = text.split('\n');
  }

  next(): OffLine | undefined {
    while (this.index < this.lines.length) {
      const raw = this.lines[this.index++];
      const hash = raw.indexOf('#');
      const content = (hash >= 0 ? raw.slice(0, hash) : raw).trim();
      if (content !== '') return { tokens: content.split(/\s+/), line: this.index };
    }
    return undefined;
  }

  number(token: string, line: number, what: string): number {
    const value = Number(token);
    if (token === '' || !Number.isFinite(value)) {
      throw new DatasetFormatError(this.fileName, `${what}: '${token}' is not a number`, line);
    }
    return value;
  }

  integer(token: string, line: number, what: string): number {
    const value = Number(token);
    if (!/^\d+$/.test(token) || !Number.isSafeInteger(value)) {
      throw new DatasetFormatError(
        this.fileName,
        `${what}: '${token}' is not a non-negative integer`,
        line,
      );
    }
    return value;
  }

  truncated(expected: string): DatasetFormatError {
    return new DatasetFormatError(
      this.fileName,
      `truncated: the file ends before ${expected}`,
      this.lines.length,
    );
  }
}
