import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from './stack';

const DASHBOARD = path.join(REPO_ROOT, 'apps/dashboard');
const VITE = path.join(REPO_ROOT, 'node_modules/vite/bin/vite.js');

/** Where the API looks for the build unless ENGRAM_DASHBOARD_DIR says otherwise (bootstrap.ts). */
export const DEFAULT_DASHBOARD_DIR = path.join(DASHBOARD, 'dist');

/**
 * What the build reads: the app, its build configuration, the API client it bundles and the
 * locked dependencies (a build older than any of them is rebuilt).
 */
export const DASHBOARD_SOURCES = [
  path.join(DASHBOARD, 'index.html'),
  path.join(DASHBOARD, 'vite.config.ts'),
  path.join(DASHBOARD, 'precompress.ts'),
  path.join(DASHBOARD, 'src'),
  path.join(REPO_ROOT, 'libs/api-client/src'),
  path.join(REPO_ROOT, 'package-lock.json'),
];

const isTest = (file: string) => /\.(int-)?spec\.ts$/.test(file);

/** Newest modification time (ms) of the files under these paths, tests left out; 0 when none. */
export function newestSourceTime(paths: readonly string[]): number {
  let newest = 0;
  for (const p of paths) {
    const stat = fs.statSync(p, { throwIfNoEntry: false });
    if (!stat) continue;
    if (stat.isDirectory()) {
      const children = fs.readdirSync(p).map((name) => path.join(p, name));
      newest = Math.max(newest, newestSourceTime(children));
    } else if (!isTest(p)) newest = Math.max(newest, stat.mtimeMs);
  }
  return newest;
}

/** 'missing' (no index.html), 'stale' (a source is newer than the build) or 'fresh'. */
export function buildState(
  outDir: string,
  sources: readonly string[] = DASHBOARD_SOURCES,
): 'missing' | 'stale' | 'fresh' {
  const built = fs.statSync(path.join(outDir, 'index.html'), { throwIfNoEntry: false });
  if (!built) return 'missing';
  return newestSourceTime(sources) > built.mtimeMs ? 'stale' : 'fresh';
}

export interface DashboardBuildOptions {
  outDir: string;
  /** One line of progress (vite's own output, then the outcome). */
  log: (line: string) => void;
  /** Stops the build (Ctrl-C while it runs). */
  signal?: AbortSignal;
  /** The vite configuration; a test points it elsewhere to make the build fail. */
  config?: string;
}

/**
 * Runs `vite build` into a staging folder beside outDir and swaps it in when it succeeds, so a
 * failed or interrupted build leaves the previous build served and never a half-written one.
 */
export async function buildDashboard(options: DashboardBuildOptions): Promise<void> {
  const outDir = path.resolve(options.outDir);
  const staging = `${outDir}.build-${process.pid}`;
  try {
    await runVite(options, staging);
    // Another build (a second `engram up`, a test) may have swapped its own in meanwhile, from
    // the same sources: keep it rather than remove what an API may be serving.
    if (buildState(outDir) === 'fresh') return;
    fs.rmSync(outDir, { recursive: true, force: true });
    try {
      fs.renameSync(staging, outDir);
    } catch (error) {
      if (!fs.existsSync(path.join(outDir, 'index.html'))) throw error;
    }
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

function runVite(options: DashboardBuildOptions, outDir: string): Promise<void> {
  const config = options.config ?? path.join(DASHBOARD, 'vite.config.ts');
  const args = [VITE, 'build', '--config', config, '--outDir', outDir, '--emptyOutDir'];
  const child = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    // NODE_ENV=production whatever the caller's (jest sets test, which keeps ECharts' dev checks).
    env: {
      ...process.env,
      NODE_ENV: 'production',
      NO_COLOR: '1',
      VITE_CONFIG_NATIVE_IGNORE_WARNING: 'true',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    signal: options.signal,
  });
  // Progress (stdout) as it comes; errors (stderr) in the failure message, without stack frames.
  const errors: string[] = [];
  forEachLine(child.stdout, options.log);
  forEachLine(child.stderr, (line) => {
    if (!/^\s+at /.test(line)) errors.push(line);
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      if (code === 0) resolve();
      else
        reject(
          new Error(`vite build exited with ${code ?? signal}:\n${errors.slice(0, 20).join('\n')}`),
        );
    });
  });
}

/** Calls onLine with each non-empty line of the stream, colours removed. */
function forEachLine(stream: NodeJS.ReadableStream | null, onLine: (line: string) => void): void {
  let buffer = '';
  const emit = (line: string) => {
    const text = line.replace(/\x1b\[[0-9;]*m/g, '').trimEnd();
    if (text.trim()) onLine(text);
  };
  stream?.on('data', (chunk: Buffer) => {
    const lines = (buffer + chunk.toString()).split('\n');
    buffer = lines.pop() ?? '';
    lines.forEach(emit);
  });
  stream?.on('end', () => emit(buffer));
}

/**
 * `engram up`: builds the dashboard when its build is missing or older than its sources (the
 * build is not committed, so a fresh clone has none). Returns whether a build is there to serve;
 * a failed build is reported and the platform runs without the dashboard.
 */
export async function ensureDashboard(options: DashboardBuildOptions): Promise<boolean> {
  const state = buildState(options.outDir);
  const where = path.relative(process.cwd(), options.outDir) || '.';
  if (state === 'fresh') {
    options.log(`up to date (${where})`);
    return true;
  }
  if (!fs.existsSync(path.join(DASHBOARD, 'index.html'))) {
    options.log(`no sources to build it from (${DASHBOARD}); serving what ${where} holds`);
    return state !== 'missing';
  }
  options.log(
    `building (${state === 'missing' ? 'no build yet' : 'sources changed'}) into ${where}`,
  );
  const started = Date.now();
  try {
    await buildDashboard(options);
    options.log(`built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return true;
  } catch (error) {
    if (options.signal?.aborted) throw error;
    options.log(`the build failed: ${(error as Error).message}`);
    options.log(
      state === 'missing'
        ? 'the platform runs without the dashboard; fix the build (`npm run build:dashboard` shows it) and restart'
        : 'serving the previous build; `npm run build:dashboard` shows the failure',
    );
    return state !== 'missing';
  }
}
