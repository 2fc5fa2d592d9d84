import { timingSafeEqual } from 'node:crypto';
import {
  CanActivate,
  ExecutionContext,
  Inject,
  Injectable,
  SetMetadata,
  applyDecorators,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiSecurity } from '@nestjs/swagger';
import type { Request } from 'express';
import type { ApiConfig } from '../config/api-config';
import { API_CONFIG } from '../tokens';

export const API_KEY_HEADER = 'x-api-key';
const PUBLIC = 'engram:public';

/**
 * Marks a route that needs no API key (health checks from load balancers and orchestrators);
 * its OpenAPI operation says so (an empty security requirement).
 */
export const Public = () => applyDecorators(SetMetadata(PUBLIC, true), ApiSecurity({}));

function presentedKey(request: Request): string | undefined {
  const header = request.headers[API_KEY_HEADER];
  if (typeof header === 'string') return header;
  // Prometheus and most HTTP clients send credentials as a bearer token.
  const authorization = request.headers.authorization;
  return authorization?.startsWith('Bearer ') ? authorization.slice('Bearer '.length) : undefined;
}

/** When API_KEY is configured, every non-public route requires it (x-api-key or Bearer). */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly expected: Buffer | undefined;

  constructor(
    @Inject(API_CONFIG) config: ApiConfig,
    private readonly reflector: Reflector,
  ) {
    this.expected = config.apiKey === undefined ? undefined : Buffer.from(config.apiKey);
  }

  canActivate(context: ExecutionContext): boolean {
    if (!this.expected) return true;
    if (
      this.reflector.getAllAndOverride<boolean>(PUBLIC, [context.getHandler(), context.getClass()])
    )
      return true;
    const key = presentedKey(context.switchToHttp().getRequest<Request>());
    const given = Buffer.from(key ?? '');
    if (given.length !== this.expected.length || !timingSafeEqual(given, this.expected)) {
      throw new UnauthorizedException(
        `missing or wrong API key (send it in the ${API_KEY_HEADER} header)`,
      );
    }
    return true;
  }
}
