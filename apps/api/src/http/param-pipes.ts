import { BadRequestException, Injectable, ParseUUIDPipe, PipeTransform } from '@nestjs/common';
import { integerQueryValue, singleQueryValue } from '../runs/run-query-params';

/** A route's `:id`: a UUID, or a 400 naming the parameter (never a 500 from SQL). */
export function uuidParam(name = 'id'): ParseUUIDPipe {
  return new ParseUUIDPipe({
    exceptionFactory: () =>
      new BadRequestException({
        message: `invalid ${name}`,
        issues: [{ field: name, message: 'must be a UUID' }],
      }),
  });
}

/** An integer query parameter given once, in decimal digits, within [min, max]; else `fallback`. */
@Injectable()
export class IntegerQueryPipe implements PipeTransform<unknown, number> {
  constructor(
    private readonly name: string,
    private readonly min: number,
    private readonly max: number,
    private readonly fallback: number,
  ) {}

  transform(value: unknown): number {
    return integerQueryValue(this.name, value as string, this.min, this.max) ?? this.fallback;
  }
}

/** A text query parameter given at most once (a repeated key is a 400, not an array). */
@Injectable()
export class SingleQueryPipe implements PipeTransform<unknown, string | undefined> {
  constructor(private readonly name: string) {}

  transform(value: unknown): string | undefined {
    return singleQueryValue(this.name, value as string);
  }
}
