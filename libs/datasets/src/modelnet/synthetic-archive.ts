import * as zlib from 'node:zlib';
import { SeededRandom } from '../random';

/** Shapes of the synthetic classes: distinct solids, so a network can tell them apart. */
const SOLIDS = ['box', 'pyramid', 'prism', 'octahedron', 'slab', 'spike'] as const;

export interface SyntheticArchiveOptions {
  /** Classes (at most 6), named `box`, `pyramid`...; default 4. */
  classCount?: number;
  trainPerClass?: number;
  testPerClass?: number;
  seed?: number;
  /** Top folder of the meshes in the zip, as in the official archive. */
  topFolder?: string;
}

/**
 * A small zip in the official ModelNet10.zip's layout (`ModelNet10/<class>/<train|test>/<class>_NNNN.off`,
 * plus the `__MACOSX/` debris and folder entries the real one has), holding seeded random solids
 * written as OFF meshes. For tests of the fetch and of the loader: no network, no shared data.
 */
export function syntheticModelNetArchive(options: SyntheticArchiveOptions = {}): Buffer {
  const classCount = options.classCount ?? 4;
  if (classCount < 1 || classCount > SOLIDS.length) {
    throw new RangeError(`classCount must be 1..${SOLIDS.length}, got ${classCount}`);
  }
  const random = new SeededRandom(options.seed ?? 1);
  const top = options.topFolder ?? 'ModelNet10';
  const entries: { name: string; data: Buffer }[] = [{ name: `${top}/`, data: Buffer.alloc(0) }];
  for (const solid of SOLIDS.slice(0, classCount)) {
    let index = 1;
    for (const [split, count] of [
      ['train', options.trainPerClass ?? 6],
      ['test', options.testPerClass ?? 2],
    ] as const) {
      entries.push({ name: `${top}/${solid}/${split}/`, data: Buffer.alloc(0) });
      for (let i = 0; i < count; i++, index++) {
        const name = `${solid}_${String(index).padStart(4, '0')}.off`;
        entries.push({ name: `${top}/${solid}/${split}/${name}`, data: solidOff(solid, random) });
      }
    }
    entries.push({ name: `__MACOSX/${top}/._${solid}`, data: Buffer.from('debris') });
  }
  return zipArchive(entries);
}

/** A solid with seeded proportions and CAD-like coordinates (tens of units, off-centre). */
function solidOff(solid: (typeof SOLIDS)[number], random: SeededRandom): Buffer {
  const scale = 10 + 40 * random.nextFloat();
  const [sx, sy, sz] = [1, 1, 1].map(() => scale * (0.7 + 0.6 * random.nextFloat()));
  const offset = [0, 0, 0].map(() => 100 * random.nextFloat());
  let vertices: number[][];
  let faces: number[][];
  const box = (h: number) => ({
    vertices: [
      [0, 0, 0],
      [1, 0, 0],
      [1, 1, 0],
      [0, 1, 0],
      [0, 0, h],
      [1, 0, h],
      [1, 1, h],
      [0, 1, h],
    ],
    faces: [
      [0, 3, 2, 1],
      [4, 5, 6, 7],
      [0, 1, 5, 4],
      [1, 2, 6, 5],
      [2, 3, 7, 6],
      [3, 0, 4, 7],
    ],
  });
  switch (solid) {
    case 'box':
    case 'slab':
      ({ vertices, faces } = box(solid === 'box' ? 1 : 0.15));
      break;
    case 'pyramid':
    case 'spike':
      vertices = [
        [0, 0, 0],
        [1, 0, 0],
        [1, 1, 0],
        [0, 1, 0],
        [0.5, 0.5, solid === 'pyramid' ? 0.8 : 3],
      ];
      faces = [
        [0, 3, 2, 1],
        [0, 1, 4],
        [1, 2, 4],
        [2, 3, 4],
        [3, 0, 4],
      ];
      break;
    case 'prism':
      vertices = [
        [0, 0, 0],
        [1, 0, 0],
        [0.5, 0.9, 0],
        [0, 0, 2],
        [1, 0, 2],
        [0.5, 0.9, 2],
      ];
      faces = [
        [0, 2, 1],
        [3, 4, 5],
        [0, 1, 4, 3],
        [1, 2, 5, 4],
        [2, 0, 3, 5],
      ];
      break;
    case 'octahedron':
      vertices = [
        [1, 0, 0],
        [-1, 0, 0],
        [0, 1, 0],
        [0, -1, 0],
        [0, 0, 1],
        [0, 0, -1],
      ];
      faces = [
        [0, 2, 4],
        [2, 1, 4],
        [1, 3, 4],
        [3, 0, 4],
        [2, 0, 5],
        [1, 2, 5],
        [3, 1, 5],
        [0, 3, 5],
      ];
      break;
  }
  const lines = [
    'OFF',
    `${vertices.length} ${faces.length} 0`,
    ...vertices.map(([x, y, z]) =>
      [x * sx + offset[0], y * sy + offset[1], z * sz + offset[2]]
        .map((v) => v.toFixed(4))
        .join(' '),
    ),
    ...faces.map((face) => `${face.length} ${face.join(' ')}`),
  ];
  return Buffer.from(`${lines.join('\n')}\n`, 'latin1');
}

/** A zip (deflated entries, or stored for folders) as PKZIP 2.0 writes it: local headers, data, central directory. */
function zipArchive(entries: { name: string; data: Buffer }[]): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  const DOS_DATE_1980_01_01 = 0x21;
  for (const { name, data } of entries) {
    const nameBytes = Buffer.from(name, 'utf8');
    const method = data.length > 0 ? 8 : 0;
    const stored = method === 8 ? zlib.deflateRawSync(data) : data;
    const crc = zlib.crc32(data) >>> 0;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(0, 10);
    local.writeUInt16LE(DOS_DATE_1980_01_01, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(stored.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    local.writeUInt16LE(0, 28);
    const header = Buffer.alloc(46);
    header.writeUInt32LE(0x02014b50, 0);
    header.writeUInt16LE(20, 4);
    header.writeUInt16LE(20, 6);
    header.writeUInt16LE(0x0800, 8);
    header.writeUInt16LE(method, 10);
    header.writeUInt16LE(0, 12);
    header.writeUInt16LE(DOS_DATE_1980_01_01, 14);
    header.writeUInt32LE(crc, 16);
    header.writeUInt32LE(stored.length, 20);
    header.writeUInt32LE(data.length, 24);
    header.writeUInt16LE(nameBytes.length, 28);
    header.writeUInt32LE(name.endsWith('/') ? 0x10 : 0, 38); // MS-DOS directory attribute
    header.writeUInt32LE(offset, 42);
    parts.push(local, nameBytes, stored);
    central.push(header, nameBytes);
    offset += local.length + nameBytes.length + stored.length;
  }
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, directory, end]);
}
