import { timingSafeEqual } from 'node:crypto';
import { ApiSecurity } from '@nestjs/swagger';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { errorEnvelope } from '../http/error-envelope.filter';

export const API_KEY_HEADER = 'x-api-key';

/**
 * Routes anyone may read: the health checks, readiness and liveness (load balancers, orchestrators) and the API's own
 * description (/docs, /docs/openapi.json, /docs-yaml): it holds no data, and clients are
 * generated from it. The dashboard's static files are served before this check.
 */
const PUBLIC_PATH = /^\/(?:health(?:\/live)?|docs(?:[/-].*)?)$/;

/**
 * Documents an operation of a public path as needing no key (an empty security requirement in
 * the OpenAPI document); what is public is decided by PUBLIC_PATH above.
 */
export const ApiPublic = () => ApiSecurity({});

function presentedKey(request: Request): string | undefined {
  const header = request.headers[API_KEY_HEADER];
  if (typeof header === 'string') return header;
  // Prometheus and most HTTP clients send credentials as a bearer token.
  const authorization = request.headers.authorization;
  return authorization?.startsWith('Bearer ') ? authorization.slice('Bearer '.length) : undefined;
}

/** Failed authentications per client address in fixed one-minute windows. */
export class AuthFailureLimiter {
  private readonly windows = new Map<string, { startMs: number; failures: number }>();

  constructor(
    private readonly maxFailuresPerWindow: number,
    private readonly windowMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Milliseconds until the client may try again, or 0 when it is not blocked. */
  blockedForMs(client: string): number {
    const window = this.windows.get(client);
    if (!window || window.failures < this.maxFailuresPerWindow) return 0;
    return Math.max(0, window.startMs + this.windowMs - this.now());
  }

  recordFailure(client: string): void {
    const now = this.now();
    let window = this.windows.get(client);
    if (!window || now - window.startMs >= this.windowMs) {
      if (this.windows.size >= 10_000) this.prune(now);
      window = { startMs: now, failures: 0 };
      this.windows.set(client, window);
    }
    window.failures++;
  }

  private prune(now: number): void {
    for (const [client, window] of this.windows)
      if (now - window.startMs >= this.windowMs) this.windows.delete(client);
  }
}

/**
 * When API_KEY is set, every route but the public ones needs it (x-api-key or Bearer). Runs as
 * Express middleware before the body is read, so a caller without the key gets a 401 whatever
 * it sends. A client address with too many failed attempts in a minute gets 429s (even with the
 * right key, so guessing learns nothing) until its window ends.
 */
export function apiKeyCheck(
  apiKey: string | undefined,
  maxFailuresPerMinute: number,
): RequestHandler {
  const expected = apiKey === undefined ? undefined : Buffer.from(apiKey);
  const limiter = new AuthFailureLimiter(maxFailuresPerMinute);
  return (request: Request, response: Response, next: NextFunction) => {
    if (!expected || PUBLIC_PATH.test(request.path)) return next();
    const client = request.ip ?? request.socket.remoteAddress ?? 'unknown';
    const blockedMs = limiter.blockedForMs(client);
    if (blockedMs > 0) {
      response.setHeader('Retry-After', String(Math.ceil(blockedMs / 1000)));
      const message = `too many failed authentications from this address; retry in ${Math.ceil(blockedMs / 1000)} s`;
      response.status(429).json(errorEnvelope(429, message, [{ field: API_KEY_HEADER, message }]));
      return;
    }
    const presented = presentedKey(request);
    const given = Buffer.from(presented ?? '');
    if (given.length === expected.length && timingSafeEqual(given, expected)) return next();
    // Only a wrong key is a guess: a page that has not been given the key yet (the dashboard
    // before its key form is filled in) must not lock its own address out.
    if (presented !== undefined) limiter.recordFailure(client);
    const message = `missing or wrong API key (send it in the ${API_KEY_HEADER} header)`;
    response.status(401).json(errorEnvelope(401, message, [{ field: API_KEY_HEADER, message }]));
  };
}
