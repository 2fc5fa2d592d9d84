import {
  countExports,
  exportedNames,
  formatReport,
  importedNames,
  usedCount,
} from './export-counts';

describe('exportedNames', () => {
  it('lists re-exported, declared and default names, and flags export *', () => {
    const text = [
      "export { a, b as c, type T } from './x';",
      "export type { U } from './y';",
      "export * from './z';",
      'export const d = 1, e = 2;',
      'export function f() {}',
      'export class G {}',
      'export interface H {}',
      'export type I = string;',
      'export enum J { K }',
      'const local = 3;',
      'export default local;',
    ].join('\n');
    expect(exportedNames(text)).toEqual(
      ['*', 'G', 'H', 'I', 'J', 'T', 'U', 'a', 'c', 'd', 'default', 'e', 'f'].sort(),
    );
  });
});

describe('importedNames', () => {
  it('collects the exported names a file takes from each module', () => {
    const text = [
      "import def, { a, b as local } from '@engram/one';",
      "import type { T } from '@engram/one';",
      "import * as all from '@engram/two';",
      "export { c } from '@engram/three';",
      "type X = import('@engram/four').Deep.Name;",
      'const x = local + all.y;',
    ].join('\n');
    const imports = importedNames(text);
    expect([...(imports.get('@engram/one') ?? [])].sort()).toEqual(['T', 'a', 'b', 'default']);
    expect([...(imports.get('@engram/two') ?? [])]).toEqual(['*']);
    expect([...(imports.get('@engram/three') ?? [])]).toEqual(['c']);
    expect([...(imports.get('@engram/four') ?? [])]).toEqual(['Deep']);
  });
});

describe('countExports', () => {
  const entries = new Map([
    [
      'hardware',
      {
        index: "export { a, b, c } from './x';",
        testing: "export { helper } from './testing-helpers';",
      },
    ],
    ['models', { index: "export { m } from './m';" }],
  ]);

  it("counts names imported outside the library, not by the library's own files", () => {
    const counts = countExports(entries, [
      { path: 'libs/hardware/src/x.spec.ts', text: "import { b, c } from '@engram/hardware';" },
      { path: 'libs/models/src/m.ts', text: "import { a } from '@engram/hardware';" },
      { path: 'apps/cli/src/main.ts', text: "import { a } from '@engram/hardware';" },
      {
        path: 'apps/cli/src/main.spec.ts',
        text: "import { helper } from '@engram/hardware/testing';",
      },
      { path: 'libs/models/src/m.spec.ts', text: "import { m } from '@engram/models';" },
    ]);
    const [hardware, hardwareTesting, models] = counts;
    expect(hardware.entry).toBe('index');
    expect(hardware.exported).toEqual(['a', 'b', 'c']);
    expect(hardware.usedBy.get('a')).toBe(2);
    expect(usedCount(hardware)).toBe(1);
    expect(hardwareTesting.entry).toBe('testing');
    expect(usedCount(hardwareTesting)).toBe(1);
    expect(usedCount(models)).toBe(0);

    const report = formatReport(counts, true);
    expect(report[0]).toMatch(/^entry point\s+exported\s+used outside$/);
    expect(report[1]).toMatch(/^@engram\/hardware\s+3\s+1$/);
    expect(report[2]).toMatch(/^@engram\/hardware\/testing\s+1\s+1$/);
    expect(report).toContainEqual(expect.stringMatching(/^ {2}a\s+2$/));
  });

  it('counts every exported name as used by a namespace import', () => {
    const [hardware] = countExports(entries, [
      { path: 'bench/x.ts', text: "import * as hw from '@engram/hardware';" },
    ]);
    expect(usedCount(hardware)).toBe(3);
  });
});
