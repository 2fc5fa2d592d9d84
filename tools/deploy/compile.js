// Compiles the API, the worker and the libraries they use from TypeScript to CommonJS with swc
// (the workspace's .swcrc, the tsconfig paths `@engram/<lib>` rewritten to relative requires), into
// an output folder with the same layout as the sources: `<out>/apps/api/src/main.js`, ...
// The container image runs that output with plain `node`: no transpiler at run time.
//   node tools/deploy/compile.js <out>
// Type checking stays `npm run typecheck` (swc only strips types).
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const swc = require('@swc/core');

const ROOT = path.resolve(__dirname, '../..');
const SOURCES = ['apps/api/src', 'apps/worker/src', 'libs'];
// Tests, declarations, and the developer's OpenAPI writer (`npm run openapi`: it needs
// openapi-typescript and prettier, dev dependencies the image does not carry).
const SKIP =
  /(\.spec|\.int-spec)\.ts$|\.d\.ts$|^apps\/api\/src\/openapi\/(write-openapi|openapi-files)\.ts$/;

function swcOptions() {
  const swcrc = JSON.parse(fs.readFileSync(path.join(ROOT, '.swcrc'), 'utf8'));
  const tsconfig = JSON.parse(fs.readFileSync(path.join(ROOT, 'tsconfig.base.json'), 'utf8'));
  delete swcrc.$schema;
  return {
    ...swcrc,
    swcrc: false,
    sourceMaps: true,
    jsc: { ...swcrc.jsc, baseUrl: ROOT, paths: tsconfig.compilerOptions.paths },
  };
}

function* files(dir) {
  for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const relative = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules') yield* files(relative);
    } else yield relative;
  }
}

function compile(out) {
  const options = swcOptions();
  let compiled = 0;
  let copied = 0;
  for (const source of SOURCES) {
    for (const file of files(source)) {
      const target = path.join(out, file);
      if (file.endsWith('.ts')) {
        if (SKIP.test(file)) continue;
        const { code, map } = swc.transformFileSync(path.join(ROOT, file), {
          ...options,
          filename: path.join(ROOT, file),
          sourceFileName: path.relative(path.dirname(target), path.join(out, file)),
        });
        const js = target.replace(/\.ts$/, '.js');
        fs.mkdirSync(path.dirname(js), { recursive: true });
        fs.writeFileSync(js, `${code}\n//# sourceMappingURL=${path.basename(js)}.map\n`);
        if (map) fs.writeFileSync(`${js}.map`, map);
        compiled++;
      } else if (file.endsWith('.js') || file.endsWith('.json')) {
        if (file.endsWith('project.json')) continue;
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.copyFileSync(path.join(ROOT, file), target);
        copied++;
      }
    }
  }
  return { compiled, copied };
}

if (require.main === module) {
  const out = process.argv[2];
  if (!out) {
    console.error('usage: node tools/deploy/compile.js <output folder>');
    process.exit(2);
  }
  const { compiled, copied } = compile(path.resolve(out));
  console.error(`compiled ${compiled} TypeScript files, copied ${copied} others into ${out}`);
}

module.exports = { compile };
