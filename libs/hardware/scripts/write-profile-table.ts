/**
 * Rewrites the device profile field table of libs/hardware/README.md from the declaration
 * (`npm run docs:device-profile`), then lets the repository's prettier align its columns.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withGeneratedTable } from '../src/profile-table';

const readmePath = join(__dirname, '..', 'README.md');
writeFileSync(readmePath, withGeneratedTable(readFileSync(readmePath, 'utf8')));
// prettier is a development dependency: run through npx, not imported (the compiled libraries
// ship in the images with production dependencies only).
execFileSync('npx', ['prettier', '--log-level', 'warn', '--write', readmePath], {
  stdio: 'inherit',
});
process.stdout.write(`wrote the device profile field table of ${readmePath}\n`);
