import { runningStack, stackDir, stackStateFile } from './stack/stack-state';

export const DEFAULT_API_URL = 'http://127.0.0.1:3000';

/** Where the API URL of a command came from: said in every error about reaching it. */
export type ApiUrlSource = '--api-url' | 'ENGRAM_API_URL' | 'stack.json' | 'default';

export interface ApiUrl {
  url: string;
  source: ApiUrlSource;
  /** Human wording of the source, e.g. "from .engram/stack.json of the running `engram up`". */
  origin: string;
}

/**
 * The API a command talks to: --api-url, else ENGRAM_API_URL, else the running `engram up` of
 * the stack folder (ENGRAM_HOME or .engram/, its stack.json), else http://127.0.0.1:3000.
 * An explicit setting wins over the discovered stack: a user who exported ENGRAM_API_URL for a
 * remote API keeps talking to it while a local stack runs.
 */
export function resolveApiUrl(
  flag: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): ApiUrl {
  if (flag) return { url: flag, source: '--api-url', origin: 'from --api-url' };
  if (env.ENGRAM_API_URL)
    return { url: env.ENGRAM_API_URL, source: 'ENGRAM_API_URL', origin: 'from ENGRAM_API_URL' };
  const dir = stackDir(undefined, env);
  const stack = runningStack(dir);
  if (stack?.apiUrl)
    return {
      url: stack.apiUrl,
      source: 'stack.json',
      origin: `from ${stackStateFile(dir)} of the running \`engram up\` (pid ${stack.pid})`,
    };
  return {
    url: DEFAULT_API_URL,
    source: 'default',
    origin: `the default: no --api-url, no ENGRAM_API_URL, no running \`engram up\` in ${dir}`,
  };
}
