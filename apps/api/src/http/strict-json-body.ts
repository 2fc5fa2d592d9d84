import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { JsonSyntaxError, parseStrictJson } from '@engram/sweep-spec';
import { errorEnvelope } from './error-envelope.filter';

/** The largest body accepted: a sweep spec with a 10,000-point grid is a few tens of kB. */
const MAX_BODY_BYTES = 100 * 1024;
const JSON_MEDIA_TYPE = /^application\/(?:[\w.+-]+\+)?json$/i;

function reply(response: Response, status: number, message: string, field: string): void {
  response.status(status).json(errorEnvelope(status, message, [{ field, message }]));
}

function hasBody(request: Request): boolean {
  const length = request.headers['content-length'];
  return (
    request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0')
  );
}

/**
 * Replaces Nest's body parser: reads at most MAX_BODY_BYTES of a JSON body (UTF-8) and parses it
 * strictly (a key repeated in one object is a 400, not "last wins"). Mounted after the API key
 * check, so an unauthenticated caller never gets its body read. Other media types are 415s.
 */
export function strictJsonBody(): RequestHandler {
  return (request: Request, response: Response, next: NextFunction) => {
    if (!hasBody(request)) return next();
    const mediaType = (request.headers['content-type'] ?? '').split(';')[0].trim();
    if (!JSON_MEDIA_TYPE.test(mediaType)) {
      return reply(
        response,
        415,
        'the body must be JSON (Content-Type: application/json)',
        'content-type',
      );
    }
    const encoding = request.headers['content-encoding'];
    if (encoding !== undefined && encoding !== 'identity') {
      return reply(
        response,
        415,
        `Content-Encoding ${encoding} is not accepted`,
        'content-encoding',
      );
    }
    const declared = Number(request.headers['content-length']);
    if (Number.isFinite(declared) && declared > MAX_BODY_BYTES) {
      request.resume();
      return reply(response, 413, `the body is larger than ${MAX_BODY_BYTES} bytes`, '(body)');
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    request.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        done = true;
        request.resume();
        reply(response, 413, `the body is larger than ${MAX_BODY_BYTES} bytes`, '(body)');
        return;
      }
      chunks.push(chunk);
    });
    request.on('error', (error) => {
      if (done) return;
      done = true;
      next(error);
    });
    request.on('end', () => {
      if (done) return;
      done = true;
      let text: string;
      try {
        text = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
      } catch {
        return reply(response, 400, 'the body is not valid UTF-8', '(body)');
      }
      try {
        request.body = parseStrictJson(text);
      } catch (error) {
        if (!(error instanceof JsonSyntaxError)) return next(error);
        return reply(response, 400, `invalid JSON body: ${error.message}`, error.field);
      }
      next();
    });
  };
}
