import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import type { paths } from '@engram/api-client';
import type { HealthController } from '../health/health.controller';
import type { ModelsController } from '../models/models.controller';
import type { RunsController } from '../runs/runs.controller';
import type { SweepsController } from '../sweeps/sweeps.controller';

const OPENAPI_DOCUMENT_PATH = path.resolve(__dirname, '../../openapi.json');

// ---------------------------------------------------------------------------------------------
// Compile-time contract (checked by `npm run typecheck`): what each route's handler returns, as
// JSON (dates become strings), must be assignable to the answer the committed document declares
// (as generated into the client), and must carry no property the document leaves out. Changing
// a route's answer without regenerating the document fails the typecheck here.
// ---------------------------------------------------------------------------------------------

/** A value as JSON.stringify sends it. */
type Wire<T> = T extends Date
  ? string
  : T extends readonly (infer E)[]
    ? Wire<E>[]
    : T extends object
      ? { [K in keyof T]: Wire<T[K]> }
      : T;

/** Property paths of `A` that `D` does not declare (never when every one is documented). */
type Undocumented<A, D, Path extends string = ''> = A extends readonly (infer AE)[]
  ? NonNullable<D> extends readonly (infer DE)[]
    ? Undocumented<AE, DE, `${Path}[]`>
    : never
  : A extends object
    ? string extends keyof NonNullable<D>
      ? never // documented as a free-form map
      : {
          [K in keyof A & string]: K extends keyof NonNullable<D>
            ? Undocumented<A[K], NonNullable<D>[K], `${Path}.${K}`>
            : `${Path}.${K}`;
        }[keyof A & string]
    : never;

type Conforms<A, D> = [A] extends [D]
  ? [Undocumented<A, D>] extends [never]
    ? true
    : { undocumented: Undocumented<A, D> }
  : { notAssignable: A; toDocumented: D };

/** The JSON body a route documents for a status. */
type Documented<
  P extends keyof paths,
  M extends 'get' | 'post',
  S extends number,
> = paths[P][M] extends { responses: infer R }
  ? S extends keyof R
    ? R[S] extends { content: { 'application/json': infer B } }
      ? B
      : never
    : never
  : never;

/** What a handler returns, as sent (CSV handlers write the response themselves: void). */
type Returned<F> = F extends (...args: never[]) => infer R
  ? Wire<Exclude<Awaited<R>, void>>
  : never;

function conforms<Check extends true>(): Check | undefined {
  return undefined;
}

conforms<Conforms<Returned<SweepsController['submit']>, Documented<'/sweeps', 'post', 202>>>();
conforms<Conforms<Returned<SweepsController['list']>, Documented<'/sweeps', 'get', 200>>>();
// The spec is typed by the SweepSpec schema, which is the validator's own JSON Schema
// (sweepSpecJsonSchema): it cannot drift from what the API accepts and stores.
conforms<
  Conforms<
    Omit<Returned<SweepsController['get']>, 'spec'>,
    Omit<Documented<'/sweeps/{id}', 'get', 200>, 'spec'>
  >
>();
conforms<
  Conforms<Returned<SweepsController['cancel']>, Documented<'/sweeps/{id}/cancel', 'post', 200>>
>();
conforms<
  Conforms<
    Returned<SweepsController['retryFailed']>,
    Documented<'/sweeps/{id}/retry-failed', 'post', 202>
  >
>();
conforms<
  Conforms<Returned<SweepsController['results']>, Documented<'/sweeps/{id}/results', 'get', 200>>
>();
conforms<
  Conforms<Returned<SweepsController['summary']>, Documented<'/sweeps/{id}/summary', 'get', 200>>
>();
conforms<Conforms<Returned<RunsController['list']>, Documented<'/runs', 'get', 200>>>();
conforms<Conforms<Returned<ModelsController['models']>, Documented<'/models', 'get', 200>>>();
conforms<
  Conforms<Returned<ModelsController['schema']>, Documented<'/sweep-spec/schema', 'get', 200>>
>();
conforms<Conforms<Returned<HealthController['health']>, Documented<'/health', 'get', 200>>>();

// The check itself fails where it should (an unused @ts-expect-error is a compile error):
type Progress = Returned<SweepsController['list']>['items'][number];
type DocumentedProgress = Documented<'/sweeps', 'get', 200>['items'][number];
// @ts-expect-error a property the document does not declare
conforms<Conforms<Progress & { undocumentedField: number }, DocumentedProgress>>();
// @ts-expect-error a property typed otherwise than documented
conforms<Conforms<Omit<Progress, 'runCount'> & { runCount: string }, DocumentedProgress>>();
// @ts-expect-error a documented property the route no longer sends
conforms<Conforms<Omit<Progress, 'etaMs'>, DocumentedProgress>>();

// ---------------------------------------------------------------------------------------------

const WORKSPACE = path.resolve(__dirname, '../../../..');
const run = promisify(execFile);

/** A node script of the workspace; a non-zero exit rejects with its output. */
async function node(args: string[]): Promise<string> {
  const env = { ...process.env, REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' };
  const { stdout } = await run(process.execPath, args, { cwd: WORKSPACE, env }).catch(
    (error: { stdout?: string; stderr?: string }) => {
      throw new Error(`node ${args.join(' ')} failed:\n${error.stdout ?? ''}${error.stderr ?? ''}`);
    },
  );
  return stdout;
}

describe('OpenAPI document and generated client', () => {
  // In a child process: openapi-typescript and prettier load ES modules jest cannot require.
  it('are the committed files (else run `npm run openapi` and commit)', async () => {
    await node(['-r', '@swc-node/register', 'apps/api/src/openapi/write-openapi.ts', '--check']);
  }, 120_000);

  it('passes `redocly lint` (recommended rules, redocly.yaml) without a problem', async () => {
    const stdout = await node([
      path.join(WORKSPACE, 'node_modules/@redocly/cli/bin/cli.js'),
      'lint',
      path.relative(WORKSPACE, OPENAPI_DOCUMENT_PATH),
      '--format=json',
    ]);
    const report = JSON.parse(stdout.slice(stdout.indexOf('{'))) as {
      totals: { errors: number; warnings: number; ignored: number };
      problems: unknown[];
    };
    expect(report.problems).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
  }, 60_000);

  it('declares every route with its answers, errors and typed schemas', async () => {
    const document = JSON.parse(readFileSync(OPENAPI_DOCUMENT_PATH, 'utf8')) as {
      servers: unknown[];
      paths: Record<
        string,
        Record<
          string,
          {
            parameters?: { name: string; required?: boolean; schema?: object }[];
            responses: Record<
              string,
              { description: string; content?: Record<string, { schema?: object }> }
            >;
            requestBody?: { content: Record<string, { schema: object }> };
          }
        >
      >;
    };
    expect(document.servers.length).toBeGreaterThan(0);
    const sweeps = document.paths['/sweeps'];
    expect(sweeps.get.parameters?.filter((p) => p.required)).toEqual([]);
    expect(sweeps.post.requestBody?.content['application/json'].schema).toMatchObject({
      allOf: [{ $ref: '#/components/schemas/SweepSpec' }],
    });
    expect(
      document.paths['/sweeps/{id}/results'].get.responses['200'].content?.['text/csv'].schema,
    ).toEqual({ type: 'string' });
    const gaps: string[] = [];
    for (const [route, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const at = `${method.toUpperCase()} ${route}`;
        for (const parameter of operation.parameters ?? [])
          if (!parameter.schema || Object.keys(parameter.schema).length === 0)
            gaps.push(`${at}: parameter ${parameter.name} has no schema`);
        // The health checks are public (readiness and liveness probes carry no key).
        if (!route.startsWith('/health') && !operation.responses['401'])
          gaps.push(`${at}: no 401 (API key)`);
        for (const [code, response] of Object.entries(operation.responses))
          if (!response.description) gaps.push(`${at}: ${code} has no description`);
        for (const [code, response] of Object.entries(operation.responses))
          for (const [media, content] of Object.entries(response.content ?? {}))
            if (!content.schema) gaps.push(`${at}: ${code} ${media} has no schema`);
        if (!Object.keys(operation.responses).some((code) => code.startsWith('2')))
          gaps.push(`${at}: no success answer`);
      }
    }
    expect(gaps).toEqual([]);
  });
});
