import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The Engram repository root: the nearest folder holding nx.json, searched upwards from this file
 * (then from the working directory, for bundled builds that live elsewhere).
 */
export function findWorkspaceRoot(): string {
  for (const start of [__dirname, process.cwd()]) {
    let dir = path.resolve(start);
    for (;;) {
      if (fs.existsSync(path.join(dir, 'nx.json'))) return dir;
      const parent = path.dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  throw new Error(
    `cannot find the Engram repository root (a folder with nx.json) above ${__dirname} or ${process.cwd()}`,
  );
}
