import { Command, InvalidArgumentError, Option } from 'commander';
import {
  DEFAULT_CACHE_POINTS,
  DEFAULT_CACHE_SEED,
  ModelNetArchiveError,
  resolveDataDir,
  type ModelNetArchiveLayout,
} from '@engram/datasets';
import { CliError, ExitCode } from '../errors';
import { ProgressPrinter } from '../format';
import { HttpStatusError, NetworkError } from '../data/download';
import {
  ChecksumMismatchError,
  DiskFullError,
  ForeignCacheError,
  MODELNET10_URL,
  fetchModelNet10,
} from '../data/fetch-modelnet';
import { downloadProgressLine } from '../data/progress';

export interface FetchCommandOptions {
  url: string;
  dataDir?: string;
  sha256?: string;
  force?: boolean;
  keepArchive?: boolean;
  points: number;
  expectLayout?: ModelNetArchiveLayout;
}

/** `engram data ...`: datasets that are not in the repository. */
export function dataCommand(): Command {
  const data = new Command('data').description('Download and prepare datasets');
  data
    .command('fetch')
    .description(
      'Download a dataset from its source and build the point-cloud cache the networks read',
    )
    .argument('<dataset>', 'modelnet10')
    .addOption(
      new Option('--url <url>', 'archive URL (a mirror)')
        .env('ENGRAM_MODELNET10_URL')
        .default(MODELNET10_URL),
    )
    .option(
      '--data-dir <dir>',
      'data folder (default ENGRAM_DATA_DIR, else ~/.local/share/engram or $XDG_DATA_HOME/engram)',
    )
    .option(
      '--sha256 <hex>',
      "the archive's expected SHA-256 (default: the one recorded at the first download)",
    )
    .option('--force', 'rebuild the cache even if it exists')
    .option('--keep-archive', 'keep the downloaded zip in <data-dir>/downloads')
    .option('--points <n>', 'points sampled per mesh', positiveInteger, DEFAULT_CACHE_POINTS)
    .addOption(
      // for tests against a small archive (and other ModelNet variants): the structure to expect
      new Option(
        '--expect-layout <classes,train,test>',
        'expected class folders and meshes per split',
      )
        .argParser(layoutOption)
        .hideHelp(),
    )
    .addHelpText(
      'after',
      `
The download resumes where an interrupted one stopped. The archive is checked (its structure,
every mesh's CRC-32, and its SHA-256 against the one recorded at the first download), then each
mesh's surface is sampled (area-weighted, seed ${DEFAULT_CACHE_SEED}) into <data-dir>/modelnet10,
written atomically.

Examples:
  engram data fetch modelnet10
  ENGRAM_DATA_DIR=/data/engram engram data fetch modelnet10
  engram data fetch modelnet10 --url https://mirror.example.org/ModelNet10.zip`,
    )
    .action(async (dataset: string, opts: FetchCommandOptions) => {
      process.exitCode = await fetchCommand(dataset, opts);
    });
  return data;
}

export async function fetchCommand(
  dataset: string,
  opts: FetchCommandOptions,
  stderr: NodeJS.WriteStream = process.stderr,
): Promise<number> {
  if (dataset !== 'modelnet10') {
    throw new CliError(`unknown dataset '${dataset}': expected modelnet10`, ExitCode.Usage);
  }
  if (opts.sha256 !== undefined && !/^[0-9a-fA-F]{64}$/.test(opts.sha256)) {
    throw new CliError('--sha256 must be 64 hexadecimal digits', ExitCode.Usage);
  }
  const dataDir = opts.dataDir ?? resolveDataDir();
  const printer = new ProgressPrinter(stderr);
  const log = (line: string) => {
    printer.done();
    stderr.write(`${line}\n`);
  };
  const started = Date.now();
  try {
    const result = await fetchModelNet10({
      dataDir,
      url: opts.url,
      sha256: opts.sha256,
      force: opts.force,
      keepArchive: opts.keepArchive,
      numPoints: opts.points,
      layout: opts.expectLayout,
      log,
      onDownloadProgress: (progress) =>
        printer.update(
          downloadProgressLine(progress, Date.now() - started),
          // off a terminal: a line per 10%
          progress.totalBytes
            ? `download ${Math.floor((10 * progress.bytes) / progress.totalBytes)}`
            : undefined,
        ),
      onConvertProgress: ({ converted, total }) =>
        printer.update(
          `sampling ${converted}/${total} meshes`,
          `convert ${Math.floor((10 * converted) / total)}`,
        ),
    });
    printer.done();
    if (!result.alreadyPresent) {
      const counts = Object.values(result.manifest.classes);
      const train = counts.reduce((sum, c) => sum + c.train, 0);
      const test = counts.reduce((sum, c) => sum + c.test, 0);
      stderr.write(
        `ModelNet10 ready in ${result.root}: ${counts.length} classes, ${train} train and ${test} test clouds ` +
          `of ${result.manifest.numPoints} points (${((Date.now() - started) / 1000).toFixed(0)} s)\n`,
      );
    }
    return ExitCode.Ok;
  } catch (error) {
    printer.done();
    throw fetchFailure(error);
  }
}

const MIRROR_HINT = 'use a mirror with --url or ENGRAM_MODELNET10_URL';

function fetchFailure(error: unknown): unknown {
  if (error instanceof NetworkError) {
    return new CliError(
      error.message,
      ExitCode.Unreachable,
      `check the network, or ${MIRROR_HINT}`,
    );
  }
  if (error instanceof HttpStatusError) {
    return new CliError(error.message, ExitCode.Failure, MIRROR_HINT);
  }
  if (error instanceof ChecksumMismatchError) {
    return new CliError(
      error.message,
      ExitCode.Failure,
      `run the command again to download it again, or ${MIRROR_HINT}; if the source really changed, remove the recorded digest file`,
    );
  }
  if (error instanceof ModelNetArchiveError) {
    return new CliError(
      `${error.message}; the archive was removed`,
      ExitCode.Failure,
      `run the command again to download it again, or ${MIRROR_HINT}`,
    );
  }
  if (error instanceof DiskFullError || error instanceof ForeignCacheError) {
    return new CliError(error.message, ExitCode.Failure);
  }
  return error;
}

function positiveInteger(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0) {
    throw new InvalidArgumentError(`not a positive integer: ${value}`);
  }
  return parsed;
}

function layoutOption(value: string): ModelNetArchiveLayout {
  const parts = value.split(',').map(Number);
  if (parts.length !== 3 || !parts.every((n) => Number.isInteger(n) && n > 0)) {
    throw new InvalidArgumentError(
      `expected <classes>,<train>,<test> (e.g. 10,3991,908), got ${value}`,
    );
  }
  return { classCount: parts[0], trainFiles: parts[1], testFiles: parts[2] };
}
