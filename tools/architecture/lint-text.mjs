// Lints sources that exist only in memory with the repository's ESLint configuration, as if
// they were files at the given paths (ESLint's lintText). Jest cannot load the ESM config
// in-process, so module-boundaries.spec.ts runs this script.
// stdin: {"cases": [{"filePath": "libs/hardware/src/x.ts", "text": "..."}], "configFor": "path"}
// stdout: {"results": [[{"ruleId", "message"}]], "moduleBoundaries": <rule options for configFor>}
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// The Nx rule reads the cached project graph: refresh it as `npm run lint` does.
execFileSync(path.join(root, 'node_modules/.bin/nx'), ['show', 'projects'], {
  cwd: root,
  stdio: 'ignore',
});
const input = JSON.parse(readFileSync(0, 'utf8'));
const eslint = new ESLint({ cwd: root });
const results = [];
for (const { filePath, text } of input.cases) {
  const [result] = await eslint.lintText(text, { filePath: path.join(root, filePath) });
  results.push(result.messages.map(({ ruleId, message }) => ({ ruleId, message })));
}
const config = input.configFor
  ? await eslint.calculateConfigForFile(path.join(root, input.configFor))
  : undefined;
const moduleBoundaries = config?.rules?.['@nx/enforce-module-boundaries']?.[1] ?? null;
process.stdout.write(JSON.stringify({ results, moduleBoundaries }));
