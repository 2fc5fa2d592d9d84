import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { QueryFieldError, isDatabaseUnavailableError } from '@engram/persistence';
import { isRedisUnavailableError } from '@engram/queue';
import { JsonSyntaxError, ModelArtifactNotFoundError, SweepSpecError } from '@engram/sweep-spec';

export interface Issue {
  field: string;
  message: string;
}

/** The one shape of every error response: the status, what went wrong, and the fields concerned. */
export interface ErrorEnvelope {
  statusCode: number;
  error: string;
  message: string;
  issues: Issue[];
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export function errorEnvelope(
  statusCode: number,
  message: string,
  issues: Issue[] = [],
): ErrorEnvelope {
  return { statusCode, error: REASONS[statusCode] ?? 'Error', message, issues };
}

function isIssue(value: unknown): value is Issue {
  const issue = value as Issue;
  return typeof issue?.field === 'string' && typeof issue?.message === 'string';
}

/** Nest's HttpException bodies (a string, `{message}`, `{message, issues}`) in the envelope. */
function fromHttpException(error: HttpException): ErrorEnvelope {
  const status = error.getStatus();
  const body = error.getResponse();
  if (typeof body === 'string') return errorEnvelope(status, body);
  const { message, issues } = body as { message?: unknown; issues?: unknown };
  const text = Array.isArray(message) ? message.join('; ') : String(message ?? error.message);
  const named = Array.isArray(issues) ? issues.filter(isIssue) : [];
  // A refusal always says what it concerns; without a field of its own, the request as a whole.
  if (named.length === 0 && status < 500) named.push({ field: '(request)', message: text });
  return errorEnvelope(status, text, named);
}

/**
 * Every error leaves the API in one envelope: library errors become 400s naming the field, an
 * unreachable PostgreSQL or Redis a 503 (as /health says), anything unexpected a 500 whose
 * details stay in the log.
 */
@Catch()
export class ErrorEnvelopeFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpError');

  catch(error: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const envelope = this.envelopeOf(error);
    if (response.headersSent) {
      // A streamed CSV export failed midway: the status is gone, only the connection can say so.
      response.destroy();
      return;
    }
    response.status(envelope.statusCode).json(envelope);
  }

  private envelopeOf(error: unknown): ErrorEnvelope {
    if (error instanceof SweepSpecError) return errorEnvelope(400, error.message, error.issues);
    if (error instanceof QueryFieldError)
      return errorEnvelope(400, error.message, [{ field: error.field, message: error.message }]);
    if (error instanceof JsonSyntaxError)
      return errorEnvelope(400, `invalid JSON body: ${error.message}`, [
        { field: error.field, message: error.message },
      ]);
    if (error instanceof ModelArtifactNotFoundError) {
      // The model is registered but not trained yet: the request is fine, the server is not ready.
      return errorEnvelope(409, error.message, [
        { field: 'model', message: `${error.model} has no trained artifact yet` },
      ]);
    }
    if (error instanceof HttpException) return fromHttpException(error);
    if (isDatabaseUnavailableError(error)) {
      this.logger.warn(`database unavailable: ${(error as Error).message}`);
      return errorEnvelope(503, 'the database is unavailable; retry shortly');
    }
    if (isRedisUnavailableError(error)) {
      this.logger.warn(`Redis unavailable: ${(error as Error).message}`);
      return errorEnvelope(503, 'the job queue (Redis) is unavailable; retry shortly');
    }
    this.logger.error(`unexpected error: ${(error as Error)?.stack ?? String(error)}`);
    return errorEnvelope(500, 'internal error');
  }
}
