import { parseOff } from './off';

describe('parseOff', () => {
  it('parses a standard OFF file with comments and blank lines', () => {
    const mesh = parseOff(
      [
        'OFF',
        '# a tetrahedron',
        '4 4 6',
        '',
        '0 0 0',
        '1 0 0',
        '0 1 0',
        '0 0 1  # apex',
        '3 0 1 2',
        '3 0 1 3',
        '3 0 2 3',
        '3 1 2 3',
        '',
      ].join('\n'),
      'tetra.off',
    );
    expect(Array.from(mesh.vertices)).toEqual([0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1]);
    expect(Array.from(mesh.triangles)).toEqual([0, 1, 2, 0, 1, 3, 0, 2, 3, 1, 2, 3]);
  });

  it("accepts ModelNet's malformed header with the counts on the OFF line", () => {
    const mesh = parseOff('OFF3 1 0\n0 0 0\n1 0 0\n0 1 0\n3 0 1 2\n', 'modelnet.off');
    expect(mesh.vertices.length).toBe(9);
    expect(Array.from(mesh.triangles)).toEqual([0, 1, 2]);
    expect(parseOff('OFF 3 1 0\r\n0 0 0\r\n1 0 0\r\n0 1 0\r\n3 0 1 2\r\n').triangles.length).toBe(
      3,
    );
  });

  it('fan-triangulates polygons and ignores colours after the indices', () => {
    const mesh = parseOff(
      'OFF\n5 2 0\n0 0 0\n1 0 0\n1 1 0\n0 1 0\n0 0 1\n4 0 1 2 3 255 0 0\n5 0 1 2 3 4\n',
    );
    expect(Array.from(mesh.triangles)).toEqual([0, 1, 2, 0, 2, 3, 0, 1, 2, 0, 2, 3, 0, 3, 4]);
  });

  it('ignores content after the declared faces', () => {
    expect(parseOff('OFF\n3 1 0\n0 0 0\n1 0 0\n0 1 0\n3 0 1 2\n3 0 1 2\n').triangles.length).toBe(
      3,
    );
  });

  it.each([
    ['', "bad.off:1: bad header: expected 'OFF', found an empty file"],
    ['PLY\n3 1 0\n', "bad.off:1: bad header: expected 'OFF', found 'PLY'"],
    ['OFFSET\n3 1 0\n', "bad.off:1: bad header: expected 'OFF', found 'OFFSET'"],
    [
      'OFF\n3\n',
      "bad.off:2: bad header: expected '<vertexCount> <faceCount> <edgeCount>', found '3'",
    ],
    ['OFF\nthree 1 0\n', "bad.off:2: vertex count: 'three' is not a non-negative integer"],
    [
      'OFF\n2 1 0\n0 0 0\n1 0 0\n2 0 1\n',
      'bad.off:2: too few vertices/faces: a mesh needs at least 3 vertices and 1 face, the header declares 2 vertices and 1 faces',
    ],
    ['OFF\n3 0 0\n0 0 0\n1 0 0\n0 1 0\n', 'bad.off:2: too few vertices/faces'],
    [
      'OFF\n3 1 0\n0 0 0\n1 x 0\n0 1 0\n3 0 1 2\n',
      "bad.off:4: vertex 1 coordinate: 'x' is not a number",
    ],
    [
      'OFF\n3 1 0\n0 0 0\n1 0\n0 1 0\n3 0 1 2\n',
      "bad.off:4: vertex 1 needs 3 coordinates, found '1 0'",
    ],
    [
      'OFF\n3 1 0\n0 0 0\n1 0 0\n0 1 0\n3 0 1 3\n',
      'bad.off:6: face 0 vertex index 3 out of range 0..2',
    ],
    [
      'OFF\n3 1 0\n0 0 0\n1 0 0\n0 1 0\n3 0 -1 2\n',
      "bad.off:6: face 0 vertex index: '-1' is not a non-negative integer",
    ],
    [
      'OFF\n3 1 0\n0 0 0\n1 0 0\n0 1 0\n2 0 1\n',
      'bad.off:6: face 0 has 2 vertices, a face needs at least 3',
    ],
    [
      'OFF\n3 1 0\n0 0 0\n1 0 0\n0 1 0\n4 0 1 2\n',
      'bad.off:6: face 0 declares 4 vertices but lists 3',
    ],
    [
      'OFF\n3 1 0\n0 0 0\n1 0 0\n',
      'bad.off:5: truncated: the file ends before 3 vertices (found 2)',
    ],
    [
      'OFF\n3 2 0\n0 0 0\n1 0 0\n0 1 0\n3 0 1 2',
      'bad.off:6: truncated: the file ends before 2 faces (found 1)',
    ],
  ])('rejects malformed input %j', (text, message) => {
    expect(() => parseOff(text, 'bad.off')).toThrow(message);
  });
});
