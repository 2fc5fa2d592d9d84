#!/usr/bin/env node
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { simulate } from './commands/simulate';
import {
  ApiOptions,
  cancelCommand,
  listCommand,
  modelsCommand,
  resultsCommand,
  retryCommand,
  statusCommand,
  submitCommand,
  summaryCommand,
} from './commands/sweeps';
import { upCommand } from './commands/up';
import { CliError, ExitCode, cliErrorJson, formatCliError } from './errors';
import { train } from './commands/train';
import { runEvaluate } from './commands/evaluate';
import { report } from './commands/report';
import { dataCommand } from './commands/data';

function integer(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed)) throw new InvalidArgumentError(`not an integer: ${value}`);
  return parsed;
}

export function buildProgram(): Command {
  const program = new Command('engram')
    .description(
      'Experiment sweeps over a memristor-simulated, semantic-memory dynamic neural network',
    )
    .showHelpAfterError()
    .addHelpText(
      'after',
      `
Exit codes: 0 ok, 1 the operation failed (e.g. a watched sweep ended with failed runs),
2 usage or validation error, 3 API or infrastructure unreachable.
With --json, errors are JSON on stdout too: {"error": {"message", "exitCode", "hint", ...}}.

API URL: --api-url, else ENGRAM_API_URL, else the running \`engram up\` (.engram/stack.json,
or ENGRAM_HOME), else http://127.0.0.1:3000.

Examples:
  npm start                                   # engram up: local platform + example sweep
  npx engram sweep submit examples/noise-vs-threshold.yaml --watch
  npx engram sweep list
  npx engram results <sweep-id> --where status=failed
  npx engram results <sweep-id> --json | jq '.[].metrics.dynamicAccuracy'`,
    );

  const withApi = (command: Command): Command =>
    command
      .addOption(
        new Option(
          '--api-url <url>',
          'Engram API URL (default: ENGRAM_API_URL, else the running `engram up` of .engram/stack.json, else http://127.0.0.1:3000)',
        ),
      )
      .addOption(
        new Option('--api-key <key>', "API key (the server's API_KEY)").env('ENGRAM_API_KEY'),
      )
      .option('--json', 'print JSON for scripts');
  const exitWith = (code: number) => {
    process.exitCode = code;
  };

  program
    .command('up')
    .description(
      'Start the platform on this machine (embedded PostgreSQL + Redis unless DATABASE_URL / REDIS_URL are set, the API and workers), run the example sweep and serve until Ctrl-C',
    )
    .option('--spec <file>', 'sweep to run (default examples/noise-vs-threshold.yaml)')
    .option('--no-sweep', 'start the platform only')
    .option('--dir <dir>', 'folder of the embedded stack (default .engram/, or ENGRAM_HOME)')
    .option('--workers <n>', 'worker processes', integer, 1)
    .option('--concurrency <n>', "runs at once per worker (default: the queue table's)", integer)
    .option(
      '--port <n>',
      'API port (default PORT, else 3000 when free, else any free port)',
      integer,
    )
    .option(
      '--postgres-port <n>',
      'port of the embedded PostgreSQL (default ENGRAM_POSTGRES_PORT, else the one recorded in <dir>/postgres/port, else 5433 when free); recorded for the next start',
      integer,
    )
    .option(
      '--resubmit',
      'submit the sweep even when an identical one (same spec and artifact) already completed',
    )
    .option('--exit-when-done', 'stop everything and exit when the sweep is done')
    .option('--json', 'print the finished sweep and its runs as JSON')
    .addHelpText(
      'after',
      `
Examples:
  engram up                         # what npm start runs
  engram up --exit-when-done        # exit 0 when the example sweep completed
  engram up --no-sweep --workers 2  # just the platform, for engram sweep submit
  DATABASE_URL=postgres://... REDIS_URL=redis://... engram up   # your own servers`,
    )
    .action(async (opts) => exitWith(await upCommand(opts)));

  const sweep = program.command('sweep').description('Submit and manage sweeps on an Engram API');
  withApi(
    sweep
      .command('list')
      .description('Sweeps of the API, newest first, with status and run counts')
      .option('--limit <n>', 'sweeps per page (1 to 500)', integer, 50)
      .option('--offset <n>', 'sweeps to skip', integer, 0),
  )
    .addHelpText(
      'after',
      "\nExamples:\n  engram sweep list\n  engram sweep list --json | jq -r '.items[] | select(.counts.failed > 0) | .id'",
    )
    .action(async (opts: ApiOptions & { limit: number; offset: number }) =>
      exitWith(await listCommand(opts)),
    );
  withApi(
    sweep
      .command('submit')
      .description('Submit a sweep specification (YAML or JSON), validated locally first')
      .argument('<spec>', 'spec file (.yaml, .yml or .json)')
      .option('--watch', 'show progress until the sweep is done (exit 1 if runs failed)'),
  )
    .addHelpText(
      'after',
      '\nExamples:\n  engram sweep submit examples/noise-vs-threshold.yaml --watch\n  id=$(engram sweep submit spec.json --json | jq -r .sweepId)',
    )
    .action(async (file: string, opts: ApiOptions & { watch?: boolean }) =>
      exitWith(await submitCommand(file, opts)),
    );
  withApi(
    sweep
      .command('status')
      .description('Status, counts by run state, progress and ETA of a sweep')
      .argument('<id>', 'sweep id')
      .option('--watch', 'show progress until the sweep is done (exit 1 if runs failed)'),
  )
    .addHelpText(
      'after',
      '\nExamples:\n  engram sweep status <id>\n  engram sweep status <id> --watch',
    )
    .action(async (id: string, opts: ApiOptions & { watch?: boolean }) =>
      exitWith(await statusCommand(id, opts)),
    );
  withApi(
    sweep
      .command('summary')
      .description(
        'Mean and standard deviation of each metric per grid point, over seeds and repeats',
      )
      .argument('<id>', 'sweep id')
      .option('--metrics <names>', 'comma-separated metrics (default: the main ones)'),
  )
    .addHelpText(
      'after',
      '\nExamples:\n  engram sweep summary <id>\n  engram sweep summary <id> --metrics dynamicAccuracy,energyPerInferencePj --json',
    )
    .action(async (id: string, opts: ApiOptions & { metrics?: string }) =>
      exitWith(await summaryCommand(id, opts)),
    );
  withApi(
    sweep
      .command('cancel')
      .description('Cancel the queued runs of a sweep (running runs finish)')
      .argument('<id>', 'sweep id'),
  )
    .addHelpText('after', '\nExample:\n  engram sweep cancel <id>')
    .action(async (id: string, opts: ApiOptions) => exitWith(await cancelCommand(id, opts)));
  withApi(
    sweep
      .command('retry')
      .description('Re-queue the failed runs of a sweep (only those)')
      .argument('<id>', 'sweep id')
      .option('--watch', 'show progress until the sweep is done again'),
  )
    .addHelpText('after', '\nExample:\n  engram sweep retry <id> --watch')
    .action(async (id: string, opts: ApiOptions & { watch?: boolean }) =>
      exitWith(await retryCommand(id, opts)),
    );

  withApi(
    program
      .command('results')
      .description(
        'Runs of a sweep (every state) with their parameters, metrics, and the error of failed runs',
      )
      .argument('<id>', 'sweep id')
      .option('--format <format>', 'table, csv or json', 'table')
      .option(
        '--where <axis=value>',
        'filter (repeatable): readNoise=0.05, status=failed, dynamicAccuracy[gte]=0.9',
        (value: string, previous: string[] = []) => [...previous, value],
      ),
  )
    .addHelpText(
      'after',
      '\nExamples:\n  engram results <id>\n  engram results <id> --where status=failed\n  engram results <id> --format csv > runs.csv\n  engram results <id> --where camThreshold=0.1 --where status=succeeded',
    )
    .action(async (id: string, opts: ApiOptions & { format?: string; where?: string[] }) =>
      exitWith(await resultsCommand(id, opts)),
    );

  program
    .command('models')
    .description(
      'Model artifacts in the models folder (ENGRAM_MODELS_DIR) and their test accuracies',
    )
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  engram models --json')
    .action((opts: { json?: boolean }) => exitWith(modelsCommand(opts)));

  program
    .command('simulate')
    .description(
      'Run a small, real hardware simulation (ternary RRAM crossbar + TCAM) and print its figures',
    )
    .option('--seed <n>', 'random seed', integer, 1)
    .option('--rows <n>', 'crossbar rows (layer inputs)', integer, 512)
    .option('--cols <n>', 'crossbar columns (layer outputs)', integer, 256)
    .option('--batch <n>', 'input vectors', integer, 64)
    .option('--json', 'print the figures as JSON')
    .addHelpText('after', '\nExample:\n  engram simulate --seed 7')
    .action((opts) => {
      const lines: string[] = [];
      const points = simulate({ ...opts, json: Boolean(opts.json) }, (l) => lines.push(l));
      process.stdout.write(
        opts.json ? `${JSON.stringify(points, null, 2)}\n` : `${lines.join('\n')}\n`,
      );
    });

  program
    .command('train')
    .description(
      'Train a model (resumes from its checkpoints) and write its artifact under models/<model>',
    )
    .argument('<model>', 'resnet-mnist or pointnet2-modelnet10')
    .option(
      '--stage <stage>',
      'only this stage: float or ternary (the two can run in parallel processes)',
    )
    .addHelpText(
      'after',
      '\nExamples:\n  engram train resnet-mnist\n  engram train resnet-mnist --stage ternary\n  engram train pointnet2-modelnet10 --stage float',
    )
    .action(async (model: string, opts: { stage?: 'float' | 'ternary' }) => {
      if (opts.stage && opts.stage !== 'float' && opts.stage !== 'ternary') {
        throw new InvalidArgumentError(`--stage must be float or ternary, got ${opts.stage}`);
      }
      await train(model, opts.stage ? [opts.stage] : undefined);
    });

  program
    .command('evaluate')
    .description(
      'Run one configuration of the dynamic network on a simulated chip and print its metrics',
    )
    .option('--model <name>', 'model', 'resnet-mnist')
    .option('--threshold <t>', 'CAM threshold, or one per exit separated by commas', '0.1')
    .option('--memory-size <k>', 'prototypes per class', integer, 2)
    .option('--seed <n>', 'chip seed', integer, 1)
    .option('--samples <n>', 'samples of the split (default: all)', integer)
    .option('--split <split>', 'test or validation', 'test')
    .option(
      '--programming-noise <x>',
      'programming noise, fraction of the conductance window',
      Number,
    )
    .option('--read-noise <x>', 'read noise, fraction of the conductance window', Number)
    .option('--adc-bits <n>', 'ADC resolution', integer)
    .option('--exit-rule <rule>', 'margin or absolute', 'margin')
    .option('--engine <engine>', 'onnx or tfjs (default: the fastest the model has)')
    .option(
      '--timing <how>',
      'derived (default: from one hardware pass of the chip) or measured (real dynamic inference, timed)',
    )
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      '\nExample:\n  engram evaluate --threshold 0.08 --memory-size 4 --samples 2000',
    )
    .action(runEvaluate);

  program
    .command('report')
    .description('Write the results report of a model (docs/<model>-report.md)')
    .argument('<model>', 'resnet-mnist or pointnet2-modelnet10')
    .option('--out <dir>', 'output folder', 'docs')
    .option(
      '--samples <n>',
      'test (and validation) samples, for a quick look (default: all)',
      integer,
    )
    .option(
      '--chips <n>',
      'chips per set (selection and test), for a quick look (default: 10 each; at least 2)',
      integer,
    )
    .addHelpText(
      'after',
      '\nExamples:\n  engram report resnet-mnist\n  engram report pointnet2-modelnet10 --samples 100 --chips 2 --out /tmp/report',
    )
    .option(
      '--figures-only',
      'redraw the figures from the report data in --out (<model>-report.json) without recomputing',
    )
    .action(
      (
        model: string,
        opts: { out: string; samples?: number; chips?: number; figuresOnly?: boolean },
      ) =>
        report(model, opts.out, {
          samples: opts.samples,
          chips: opts.chips,
          figuresOnly: opts.figuresOnly,
        }),
    );

  program.addCommand(dataCommand());

  return program;
}

/** Runs the CLI; resolves to the exit code (documented in apps/cli/README.md). */
export async function runCli(argv: string[]): Promise<number> {
  const program = buildProgram();
  // Read from argv rather than the parsed options: a usage error happens before any parsing.
  const json = argv.slice(2).includes('--json');
  const exitOverride = (command: Command) => {
    command.exitOverride();
    command.commands.forEach(exitOverride);
  };
  exitOverride(program);
  const fail = (error: CliError): number => {
    if (json) process.stdout.write(cliErrorJson(error));
    else process.stderr.write(formatCliError(error));
    return error.exitCode;
  };
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : ExitCode.Ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are successes; every other commander error is a usage error (commander
      // printed it on stderr already; under --json it is repeated as JSON on stdout).
      if (error.exitCode === 0) return ExitCode.Ok;
      if (json) process.stdout.write(cliErrorJson(new CliError(error.message, ExitCode.Usage)));
      return ExitCode.Usage;
    }
    if (error instanceof CliError) return fail(error);
    return fail(new CliError((error as Error)?.message ?? String(error), ExitCode.Failure));
  }
}

if (require.main === module) {
  // Exit explicitly: keep-alive sockets of fetch must not hold the process (stdout and stderr
  // are synchronous on pipes and files, so nothing printed is lost).
  void runCli(process.argv).then((code) => process.exit(code));
}
