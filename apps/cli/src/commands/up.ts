import * as path from 'node:path';
import { EngramClient, SweepDetail } from '@engram/api-client';
import { FETCH_MODELNET10_COMMAND, defaultModelNetRoot, modelNetAvailable } from '@engram/datasets';
import { isModelName } from '@engram/contracts';
import type { SweepSpec } from '@engram/sweep-spec';
import { CliError, ExitCode, apiFailure } from '../errors';
import { DEFAULT_DASHBOARD_DIR, ensureDashboard } from '../stack/dashboard';
import { LocalStack, REPO_ROOT, StackAlreadyRunningError, redact } from '../stack/stack';
import { RecordedStack, runningStack, stackDir } from '../stack/stack-state';
import {
  listModels,
  modelsDir,
  resultsTable,
  fetchAllRuns,
  sweepStatusText,
  watchSweep,
} from './sweeps';
import { readSpecFile } from './spec-file';

export const EXAMPLE_SPEC = path.join(REPO_ROOT, 'examples', 'noise-vs-threshold.yaml');

export interface UpOptions {
  spec?: string;
  sweep: boolean;
  dir?: string;
  workers: number;
  concurrency?: number;
  port?: number;
  postgresPort?: number;
  /** Submit the spec even when an identical sweep already completed. */
  resubmit?: boolean;
  exitWhenDone?: boolean;
  json?: boolean;
}

function alreadyRunning(dir: string, running: RecordedStack): CliError {
  const where = running.apiUrl
    ? `already running at ${running.apiUrl}`
    : `already starting (pid ${running.pid})`;
  return new CliError(
    `engram up is ${where} in ${dir}; its ${path.join(dir, 'stack.json')} is left as it is`,
    ExitCode.Failure,
    running.apiUrl
      ? `use it (\`npx engram sweep submit <spec> --watch\` finds it), stop it with Ctrl-C in its terminal or \`kill -INT ${running.pid}\`, or start another stack with --dir <folder>`
      : `wait for it, stop it with \`kill -INT ${running.pid}\`, or start another stack with --dir <folder>`,
  );
}

/** JSON with object keys sorted: a stored spec (JSONB reorders keys) compares to a local one. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

/**
 * The newest sweep with the same spec on the same artifact: what `npm start` would only repeat.
 * Looks at the latest 500 sweeps.
 */
async function findIdenticalSweep(
  client: EngramClient,
  spec: SweepSpec,
  artifactVersion: string | undefined,
): Promise<SweepDetail | undefined> {
  const page = await client.listSweeps(500, 0);
  const wanted = canonicalJson(spec);
  for (const candidate of page.items) {
    if (candidate.name !== spec.name || candidate.model !== spec.model) continue;
    if (artifactVersion && candidate.artifactVersion !== artifactVersion) continue;
    const detail = await client.getSweep(candidate.id);
    if (canonicalJson(detail.spec) === wanted) return detail;
  }
  return undefined;
}

/**
 * `engram up` / `npm start`: the whole platform on this machine (embedded PostgreSQL and Redis
 * unless DATABASE_URL and REDIS_URL are set), the example sweep submitted and watched, then
 * served until Ctrl-C (or, with --exit-when-done, stopped when the sweep is done).
 */
export async function upCommand(opts: UpOptions): Promise<number> {
  const log = (line: string) => process.stderr.write(`engram up: ${line}\n`);
  const specFile = path.resolve(opts.spec ?? EXAMPLE_SPEC);
  const spec = opts.sweep ? readSpecFile(specFile) : undefined;

  if (spec && isModelName(spec.model)) {
    const listing = listModels().find((m) => m.model === spec.model);
    if (listing && !listing.trained) {
      throw new CliError(
        `the sweep ${path.relative(process.cwd(), specFile)} needs the trained ${spec.model} artifact, and ${listing.manifest} does not exist (models folder: ${modelsDir()})`,
        ExitCode.Failure,
        `train it first: \`npm run engram -- train ${spec.model}\` (resumes from its checkpoints), or point ENGRAM_MODELS_DIR at a folder holding ${spec.model}/artifact.json; \`engram up --no-sweep\` starts the platform without a sweep`,
      );
    }
    // the workers started here read the clouds from this machine's data folder
    if (spec.model === 'pointnet2-modelnet10' && !modelNetAvailable()) {
      throw new CliError(
        `the sweep ${path.relative(process.cwd(), specFile)} needs ModelNet10, which is not at ${defaultModelNetRoot()}`,
        ExitCode.Failure,
        `fetch it first: \`npm run engram -- ${FETCH_MODELNET10_COMMAND.replace(/^engram /, '')}\`, or set ENGRAM_DATA_DIR / ENGRAM_MODELNET_DIR to where it is`,
      );
    }
  }

  const dir = stackDir(opts.dir);
  // Before anything else: a second `engram up` must not touch the running one's folder.
  const running = runningStack(dir);
  if (running) throw alreadyRunning(dir, running);
  const dashboardDir = path.resolve(process.env.ENGRAM_DASHBOARD_DIR ?? DEFAULT_DASHBOARD_DIR);
  const stack = new LocalStack({
    dir,
    dashboardDir,
    workers: opts.workers,
    workerConcurrency: opts.concurrency,
    apiPort: opts.port,
    postgresPort: opts.postgresPort,
    env: process.env,
    log,
  });

  let signalled: NodeJS.Signals | undefined;
  let wake: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => (wake = resolve));
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) {
      log(`${signal} again: still stopping (children are being stopped in order)`);
      return;
    }
    signalled = signal;
    log(`${signal}: stopping`);
    wake();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  const building = new AbortController();
  void stopped.then(() => building.abort());

  let code: number = ExitCode.Ok;
  try {
    // Before the API starts, which serves the dashboard only when a build is there.
    const dashboard = await ensureDashboard({
      outDir: dashboardDir,
      log: (line) => log(`dashboard: ${line}`),
      signal: building.signal,
    }).catch((error: unknown) => {
      if (signalled) return false;
      throw error;
    });
    if (signalled) return 130;
    const state = await Promise.race([stack.start(), stopped.then(() => undefined)]);
    if (!state) return 130;
    if (state.embedded.postgres) {
      log(`SQL (owner): psql '${state.databaseUrl}'`);
      if (state.readOnlyDatabaseUrl)
        log(
          `SQL (read-only, for Grafana/Metabase; views run_results, sweep_overview): psql '${state.readOnlyDatabaseUrl}'`,
        );
    } else log(`SQL: DATABASE_URL (${redact(state.databaseUrl)}), schema ${state.databaseSchema}`);
    let childDied: string | undefined;
    stack.onChildExit((name, exitCode, signal) => {
      childDied = `${name} exited (${exitCode ?? signal}); see ${path.join(dir, 'logs', `${name}.log`)}`;
      log(childDied);
      wake();
    });
    log(`platform ready: API ${state.apiUrl} (logs in ${path.join(dir, 'logs')})`);
    const apiOptions = { apiUrl: state.apiUrl, apiKey: process.env.API_KEY, json: opts.json };
    const client = new EngramClient({ baseUrl: state.apiUrl, apiKey: process.env.API_KEY });

    if (spec) {
      const specName = path.relative(process.cwd(), specFile);
      const artifactVersion = listModels().find((m) => m.model === spec.model)?.version;
      const identical = opts.resubmit
        ? undefined
        : await findIdenticalSweep(client, spec, artifactVersion);
      let sweepId: string;
      if (identical?.status === 'completed') {
        sweepId = identical.id;
        log(
          `${specName} already ran as sweep ${identical.id} (same spec, same ${spec.model} artifact ${identical.artifactVersion}, completed ${identical.finishedAt ?? ''}): showing it instead of adding a copy (--resubmit runs it again)`,
        );
      } else {
        if (identical)
          log(
            `an identical sweep ${identical.id} ended ${identical.status}: submitting ${specName} again (its runs that succeeded come from cache)`,
          );
        const submitted = await client.submitSweep(spec).catch((error: unknown) => {
          throw apiFailure(
            error,
            { url: state.apiUrl, source: 'stack.json', origin: 'the API this engram up started' },
            `submitting ${specName}`,
          );
        });
        sweepId = submitted.sweepId;
        log(
          `submitted ${specName} as sweep ${submitted.sweepId}: ${submitted.runCount} runs (${submitted.cachedCount} cached)`,
        );
      }
      const final = await Promise.race([
        watchSweep(apiOptions, sweepId),
        stopped.then(() => undefined),
      ]);
      if (final) {
        const runs = await fetchAllRuns(client, final.id, {});
        if (opts.json) process.stdout.write(`${JSON.stringify({ sweep: final, runs }, null, 2)}\n`);
        else
          process.stdout.write(
            `\n${sweepStatusText(final)}\n${resultsTable(runs, final.gridAxes)}\n`,
          );
        if (final.status !== 'completed') code = ExitCode.Failure;
        log(`sweep ${final.id} ${final.status}`);
      }
    }
    if (!signalled && !childDied) {
      if (dashboard) log(`dashboard: ${state.apiUrl}/   API docs: ${state.apiUrl}/docs`);
      else log(`API docs: ${state.apiUrl}/docs (no dashboard: its build failed, see above)`);
      const finds = stackDir(undefined) === dir ? '' : `ENGRAM_HOME=${dir} `;
      log(
        `CLI: ${finds}npx engram sweep submit <spec.yaml> --watch   (the CLI finds this API through ${path.join(dir, 'stack.json')})`,
      );
      if (opts.exitWhenDone) log('--exit-when-done: stopping');
      else {
        log('serving until Ctrl-C');
        await stopped;
      }
    }
    if (childDied) code = ExitCode.Unreachable;
    if (signalled) code = code === ExitCode.Ok ? ExitCode.Ok : code;
    return code;
  } catch (error) {
    if (error instanceof CliError) throw error;
    if (error instanceof StackAlreadyRunningError) throw alreadyRunning(dir, error.running);
    throw new CliError(
      `the local platform failed: ${(error as Error).message}`,
      ExitCode.Unreachable,
      `logs are in ${path.join(dir, 'logs')}; set DATABASE_URL and REDIS_URL to use servers of your own`,
    );
  } finally {
    await stack.stop();
    log('stopped every process it started');
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onSignal);
  }
}
