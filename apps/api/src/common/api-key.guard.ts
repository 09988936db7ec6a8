/**
 * Every route not marked {@link Public} needs `Authorization: Bearer <key>`
 * with one of the configured keys (several at once, so a key is rotated
 * without downtime); a missing or wrong key is a 401. Only AUTH_DISABLED=true
 * opens the routes. The docs (/docs, /docs-json) are served outside Nest's
 * router and stay open unless DOCS_ENABLED=false.
 */
import { CanActivate, ExecutionContext, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { createHash, timingSafeEqual } from 'node:crypto';
import { API_CONFIG } from '../config/api-config';
import type { ApiConfig } from '../config/api-config';
import { IS_PUBLIC } from './public.decorator';

@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly expected: Buffer[];
  private readonly disabled: boolean;

  constructor(
    @Inject(API_CONFIG) config: ApiConfig,
    private readonly reflector: Reflector,
  ) {
    this.disabled = config.authDisabled;
    this.expected = config.apiKeys.map(digest);
  }

  canActivate(context: ExecutionContext): boolean {
    if (this.disabled) return true;
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()])) return true;
    const header = context.switchToHttp().getRequest<{ headers: Record<string, string | string[] | undefined> }>().headers['authorization'];
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (match?.[1] && matchesAny(digest(match[1]), this.expected)) return true;
    throw new UnauthorizedException(header ? 'invalid API key' : 'missing "Authorization: Bearer <API key>" header');
  }
}

/** Compares digests of equal length in constant time, against every key (no early exit). */
function matchesAny(given: Buffer, expected: Buffer[]): boolean {
  let found = false;
  for (const key of expected) found = timingSafeEqual(given, key) || found;
  return found;
}

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();
