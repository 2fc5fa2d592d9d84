// `npm test`: the jest projects as separate phases, in order (fast first), each with its wall
// time, then a summary; every phase runs even when an earlier one failed, and the exit code is
// non-zero when any did. `npm test -- <jest arguments>` runs one jest invocation instead, as
// before (e.g. `npm test -- libs/hardware`).
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '../..');
const JEST = path.join(ROOT, 'node_modules/.bin/jest');

const PHASES = [
  { name: 'unit', args: ['--selectProjects', 'unit'] },
  { name: 'science', args: ['--selectProjects', 'science'] },
  { name: 'integration', args: ['--selectProjects', 'integration'] },
  // the e2e specs start API servers and worker processes of their own: one file at a time
  { name: 'e2e', args: ['--selectProjects', 'e2e', '--runInBand'] },
];

function run(args) {
  const result = spawnSync(JEST, args, { cwd: ROOT, stdio: 'inherit' });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

const extra = process.argv.slice(2);
if (extra.length > 0) process.exit(run(extra));

const missing = require('./science-specs').filter((spec) => !fs.existsSync(path.join(ROOT, spec)));
if (missing.length > 0) {
  console.error(`tools/jest/science-specs.js names specs that do not exist: ${missing.join(', ')}`);
  process.exit(1);
}

const started = Date.now();
const seconds = (since) => ((Date.now() - since) / 1000).toFixed(1);
const results = [];
for (const phase of PHASES) {
  console.log(`\n== test phase ${phase.name}: jest ${phase.args.join(' ')}`);
  const since = Date.now();
  const status = run(phase.args);
  results.push({ ...phase, status, time: seconds(since) });
  console.log(
    `== test phase ${phase.name}: ${status === 0 ? 'passed' : 'FAILED'} in ${seconds(since)} s`,
  );
}
console.log('\n== test phases');
for (const { name, status, time } of results) {
  console.log(
    `   ${name.padEnd(12)} ${(status === 0 ? 'passed' : 'FAILED').padEnd(7)} ${time.padStart(7)} s`,
  );
}
console.log(`   ${'total'.padEnd(12)} ${''.padEnd(7)} ${seconds(started).padStart(7)} s`);
process.exit(results.some((r) => r.status !== 0) ? 1 : 0);
