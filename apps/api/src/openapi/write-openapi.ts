import 'reflect-metadata';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { renderOpenApiFiles } from './openapi-files';

/**
 * `npm run openapi`: writes apps/api/openapi.json from the application's controllers and DTOs,
 * and the client types generated from it (libs/api-client/src/generated/openapi.ts).
 * `npm run openapi -- --check` writes nothing and exits 1 naming the first difference when a
 * committed file is not what this would write (openapi.spec.ts runs it in CI).
 */

function firstDifference(committed: string, generated: string): string {
  const a = committed.split('\n');
  const b = generated.split('\n');
  const line = a.findIndex((text, i) => text !== b[i]);
  const at = line < 0 ? Math.min(a.length, b.length) : line;
  return `line ${at + 1}: committed ${JSON.stringify(a[at])}, generated ${JSON.stringify(b[at])}`;
}

async function main(check: boolean): Promise<number> {
  let stale = 0;
  for (const file of await renderOpenApiFiles()) {
    const name = path.relative(process.cwd(), file.path);
    if (check) {
      const committed = existsSync(file.path) ? readFileSync(file.path, 'utf8') : '';
      if (committed !== file.content) {
        stale++;
        console.error(`${name} is stale: ${firstDifference(committed, file.content)}`);
      }
    } else {
      mkdirSync(path.dirname(file.path), { recursive: true });
      writeFileSync(file.path, file.content);
      console.log(`wrote ${name}`);
    }
  }
  if (stale > 0) console.error('run `npm run openapi` and commit the result');
  return stale > 0 ? 1 : 0;
}

main(process.argv.includes('--check')).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error('openapi: failed:', error);
    process.exit(1);
  },
);
