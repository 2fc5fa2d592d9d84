import { ArgumentsHost, Catch, ExceptionFilter, HttpStatus } from '@nestjs/common';
import type { Response } from 'express';
import { QueryFieldError } from '@engram/persistence';
import { ModelArtifactNotFoundError, SweepSpecError } from '@engram/sweep-spec';

type DomainError = SweepSpecError | QueryFieldError | ModelArtifactNotFoundError;

/** Library errors -> HTTP: invalid specs and queries are 400s that name the field. */
@Catch(SweepSpecError, QueryFieldError, ModelArtifactNotFoundError)
export class DomainErrorFilter implements ExceptionFilter<DomainError> {
  catch(error: DomainError, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    if (error instanceof SweepSpecError) {
      response.status(HttpStatus.BAD_REQUEST).json({
        statusCode: HttpStatus.BAD_REQUEST,
        error: 'Bad Request',
        message: error.message,
        issues: error.issues,
      });
    } else if (error instanceof QueryFieldError) {
      response.status(HttpStatus.BAD_REQUEST).json({
        statusCode: HttpStatus.BAD_REQUEST,
        error: 'Bad Request',
        message: error.message,
        issues: [{ field: error.field, message: error.message }],
      });
    } else {
      // The model is registered but not trained yet: the request is fine, the server is not ready.
      response.status(HttpStatus.CONFLICT).json({
        statusCode: HttpStatus.CONFLICT,
        error: 'Conflict',
        message: error.message,
        issues: [{ field: 'model', message: `${error.model} has no trained artifact yet` }],
      });
    }
  }
}
