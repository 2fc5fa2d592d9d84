import { applyDecorators } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiNotFoundResponse,
  ApiParam,
  ApiQuery,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { ErrorDto } from '../http/dto';
import { DEFAULT_PAGE_SIZE, MAX_CSV_ROWS, MAX_PAGE_SIZE } from '../runs/run-query-params';

/** The security scheme of the API key (x-api-key header) in the OpenAPI document. */
export const API_KEY_SCHEME = 'api-key';

/**
 * The 401 of routes behind the API key: every route but the public paths (the document
 * requires the key everywhere; @ApiPublic() operations say they need none).
 */
export const ApiKeyRequired = () =>
  ApiUnauthorizedResponse({
    description: 'API_KEY is set and the request has no or a wrong key.',
    type: ErrorDto,
  });

export const BAD_RUN_QUERY = 'Unknown field, operator or malformed value; `issues` name the field.';

/** Routes with a sweep id in the path; `badQuery` says what else makes a 400. */
export const ApiSweepIdResponses = (badQuery?: string) =>
  applyDecorators(
    ApiParam({ name: 'id', format: 'uuid', description: 'The sweep id.' }),
    ApiBadRequestResponse({
      description: ['The id is not a UUID.', badQuery].filter(Boolean).join(' '),
      type: ErrorDto,
    }),
    ApiNotFoundResponse({ description: 'No sweep has this id.', type: ErrorDto }),
  );

/** Write routes, limited per client by WRITE_RATE_LIMIT_PER_MINUTE. */
export const ApiWriteRateLimited = () =>
  ApiTooManyRequestsResponse({
    description: 'More writes than WRITE_RATE_LIMIT_PER_MINUTE from this client in a minute.',
    type: ErrorDto,
  });

/** The run query language of /runs and /sweeps/:id/results: filters, sort, page, format. */
export const ApiRunQuery = (options: { sweepIdFilter?: boolean } = {}) =>
  applyDecorators(
    ApiQuery({
      name: 'format',
      required: false,
      schema: { type: 'string', enum: ['json', 'csv'], default: 'json' },
      description: `\`csv\`: every matching run as a CSV download (up to ${MAX_CSV_ROWS} rows).`,
    }),
    ApiQuery({
      name: 'sort',
      required: false,
      schema: { type: 'string' },
      description: 'Comma-separated fields, `-` for descending: `-dynamicAccuracy,readNoise`.',
      example: '-dynamicAccuracy,readNoise',
    }),
    ApiQuery({
      name: 'limit',
      required: false,
      schema: { type: 'integer', minimum: 1, maximum: MAX_CSV_ROWS },
      description: `Page size: default ${DEFAULT_PAGE_SIZE}, at most ${MAX_PAGE_SIZE} (${MAX_CSV_ROWS} with \`format=csv\`).`,
    }),
    ApiQuery({
      name: 'offset',
      required: false,
      schema: { type: 'integer', minimum: 0, default: 0 },
    }),
    ...(options.sweepIdFilter
      ? [
          ApiQuery({
            name: 'sweepId',
            required: false,
            schema: { type: 'string', format: 'uuid' },
            description: 'Runs of this sweep only.',
          }),
        ]
      : []),
    ApiQuery({
      name: 'filters',
      required: false,
      style: 'form',
      explode: true,
      schema: { type: 'object', additionalProperties: { type: 'string' } },
      description:
        'Any run field, sweep axis or metric as its own query parameter: `readNoise=0.05`, ' +
        '`status=failed,cancelled` (any of), `dynamicAccuracy[gte]=0.9` (operators eq, ne, gt, ' +
        'gte, lt, lte, in). Unknown fields are 400s naming the field.',
    }),
    ...(options.sweepIdFilter
      ? [ApiBadRequestResponse({ description: BAD_RUN_QUERY, type: ErrorDto })]
      : []),
  );
