import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigError } from '@engram/config';
import { loadDatabaseConfig } from '@engram/persistence';
// The apps are not packages: their config loaders are imported by path (tests only).
// eslint-disable-next-line @nx/enforce-module-boundaries
import { loadApiConfig } from '../../apps/api/src/config/api-config';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { loadWorkerConfig } from '../../apps/worker/src/config/worker-config';

/** Facts about the workspace the deployment files must agree with, read from the sources. */
export const ROOT = path.resolve(__dirname, '../..');
export const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');

export type Env = Record<string, string>;

/** Entry point -> the configuration loader it calls (checked against the entry's source). */
export const APP_LOADERS: Record<string, { loader: string; load: (env: Env) => unknown }> = {
  'apps/api/src/main.ts': { loader: 'loadApiConfig', load: loadApiConfig },
  'apps/worker/src/main.ts': { loader: 'loadWorkerConfig', load: loadWorkerConfig },
  'apps/api/src/migrate.ts': { loader: 'loadDatabaseConfig', load: loadDatabaseConfig },
};

/** Valid sample values, used only to get past a required variable and find the next one. */
export const SAMPLES: Env = {
  DATABASE_URL: 'postgres://engram:secret@db.example:5432/engram',
  REDIS_URL: 'redis://redis.example:6379',
};

/**
 * The variables an app cannot start without, found by running its configuration loader on an
 * empty environment and adding each variable it names as missing until it succeeds.
 */
export function requiredVariables(load: (env: Env) => unknown): string[] {
  const env: Env = {};
  const required: string[] = [];
  for (;;) {
    try {
      load(env);
      return required;
    } catch (error) {
      if (!(error instanceof ConfigError) || env[error.variable] !== undefined) throw error;
      if (!SAMPLES[error.variable])
        throw new Error(`new required variable ${error.variable}: add a sample to SAMPLES`);
      required.push(error.variable);
      env[error.variable] = SAMPLES[error.variable];
    }
  }
}

/**
 * The TypeScript entry point an image command runs: the images run the compiled output
 * (`node apps/api/src/main.js`, tools/deploy/compile.js keeps the sources' layout), never a
 * transpiler. Throws unless the command is plain `node <compiled entry>` of an existing source.
 */
export function sourceOfImageCommand(command: readonly string[]): string {
  const [node, entry, ...rest] = command;
  if (node !== 'node' || !/^apps\/[\w-]+\/src\/[\w-]+\.js$/.test(entry ?? '') || rest.length > 0) {
    throw new Error(`expected \`node apps/<app>/src/<entry>.js\`, got \`${command.join(' ')}\``);
  }
  const source = entry.replace(/\.js$/, '.ts');
  if (!fs.existsSync(path.join(ROOT, source))) throw new Error(`${entry}: no source ${source}`);
  return source;
}

export interface DockerStage {
  name: string;
  from: string;
  cmd?: string[];
  entrypoint?: string[];
  env: Env;
  healthcheck?: string[];
  runs: string[];
  copies: string[];
  user?: string;
}

/** Parses docker/Dockerfile into stages (instructions joined over `\` continuations). */
export function dockerStages(text = read('docker/Dockerfile')): DockerStage[] {
  const lines = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const stages: DockerStage[] = [];
  const json = (s: string) => JSON.parse(s) as string[];
  for (const line of lines) {
    const [, instruction, rest] = /^(\w+)\s+(.*)$/.exec(line) ?? [];
    const stage = stages[stages.length - 1];
    switch (instruction?.toUpperCase()) {
      case 'FROM': {
        const [, from, name] = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(rest) ?? [];
        const parent = stages.find((s) => s.name === from);
        stages.push({
          name: name ?? `#${stages.length}`,
          from,
          env: { ...parent?.env },
          cmd: parent?.cmd,
          entrypoint: parent?.entrypoint,
          healthcheck: parent?.healthcheck,
          user: parent?.user,
          runs: [],
          copies: [],
        });
        break;
      }
      case 'ENV':
        for (const [, k, v] of rest.matchAll(/(\w+)=(\S+)/g)) stage.env[k] = v;
        break;
      case 'CMD':
        stage.cmd = json(rest);
        break;
      case 'ENTRYPOINT':
        stage.entrypoint = json(rest);
        break;
      case 'HEALTHCHECK':
        stage.healthcheck = json(rest.slice(rest.indexOf('CMD') + 3).trim());
        break;
      case 'RUN':
        stage.runs.push(rest.replace(/--mount=\S+\s+/g, ''));
        break;
      case 'COPY':
        stage.copies.push(rest);
        break;
      case 'USER':
        stage.user = rest;
        break;
    }
  }
  return stages;
}

/** Paths of the API's GET routes, from the @Controller/@Get decorators in apps/api/src. */
export function apiGetRoutes(): string[] {
  const routes: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (file.endsWith('.controller.ts')) {
        const source = read(file);
        const base = /@Controller\((?:'([^']*)')?\)/.exec(source)?.[1] ?? '';
        for (const [, sub] of source.matchAll(/@Get\((?:'([^']*)')?\)/g))
          routes.push(`/${[base, sub].filter(Boolean).join('/')}`);
      }
    }
  };
  walk('apps/api/src');
  return routes;
}
