import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DatasetUnavailableError } from '../errors';

/** The command that downloads ModelNet10 and builds the point-cloud cache the networks read. */
export const FETCH_MODELNET10_COMMAND = 'engram data fetch modelnet10';

/** Folder name of the ModelNet10 point-cloud cache inside the data folder. */
export const MODELNET10_FOLDER = 'modelnet10';

/**
 * Engram's data folder: env ENGRAM_DATA_DIR, else the user's data folder
 * ($XDG_DATA_HOME/engram, else ~/.local/share/engram; %LOCALAPPDATA%\engram on Windows,
 * ~/Library/Application Support/engram on macOS). Not created here.
 */
export function resolveDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const explicit = env['ENGRAM_DATA_DIR'];
  if (explicit) return path.resolve(explicit);
  if (process.platform === 'win32' && env['LOCALAPPDATA']) {
    return path.join(env['LOCALAPPDATA'], 'engram');
  }
  if (process.platform === 'darwin') {
    return path.join(os.homedir(), 'Library', 'Application Support', 'engram');
  }
  const dataHome = env['XDG_DATA_HOME'] || path.join(os.homedir(), '.local', 'share');
  return path.join(dataHome, 'engram');
}

/**
 * Where the loader looks for ModelNet when no root is given: env ENGRAM_MODELNET_DIR (a folder of
 * class folders), else `<data folder>/modelnet10` (the cache `engram data fetch modelnet10`
 * writes, or any folder in the same layout, such as a 1,024-point PCD copy).
 */
export function defaultModelNetRoot(env: NodeJS.ProcessEnv = process.env): string {
  const explicit = env['ENGRAM_MODELNET_DIR'];
  if (explicit) return path.resolve(explicit);
  return path.join(resolveDataDir(env), MODELNET10_FOLDER);
}

/**
 * ModelNet is not where Engram looks for it. Carries the command that fetches it, so a CLI, an
 * API (before queueing a sweep) or a worker can tell the user what to run.
 */
export class ModelNetMissingError extends DatasetUnavailableError {
  readonly fetchCommand = FETCH_MODELNET10_COMMAND;

  constructor(readonly root: string) {
    super(
      'ModelNet',
      `ModelNet not found at ${root}. Run \`${FETCH_MODELNET10_COMMAND}\` to download ModelNet10 ` +
        'and build the point-cloud cache there (set ENGRAM_DATA_DIR first to put it elsewhere), or ' +
        'point ENGRAM_MODELNET_DIR at an existing folder of class folders (<root>/<class>/train|test/*.off|*.pcd).',
    );
    this.name = 'ModelNetMissingError';
  }
}

/**
 * Whether a ModelNet folder (`root`, else the default one) holds at least one class folder with a
 * train/ or test/ folder: the cheap check to run before queueing work that needs the data.
 */
export function modelNetAvailable(root?: string, env: NodeJS.ProcessEnv = process.env): boolean {
  const dir = root ? path.resolve(root) : defaultModelNetRoot(env);
  if (!isDirectory(dir)) return false;
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .some(
      (entry) =>
        entry.isDirectory() &&
        (isDirectory(path.join(dir, entry.name, 'train')) ||
          isDirectory(path.join(dir, entry.name, 'test'))),
    );
}

/** Throws ModelNetMissingError (with the fetch command) when modelNetAvailable is false. */
export function assertModelNetAvailable(
  root?: string,
  env: NodeJS.ProcessEnv = process.env,
): string {
  const dir = root ? path.resolve(root) : defaultModelNetRoot(env);
  if (!modelNetAvailable(dir, env)) throw new ModelNetMissingError(dir);
  return dir;
}

function isDirectory(dir: string): boolean {
  try {
    return fs.statSync(dir).isDirectory();
  } catch {
    return false;
  }
}
