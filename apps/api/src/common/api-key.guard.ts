/**
 * When API_KEY is set, every route not marked {@link Public} needs
 * `Authorization: Bearer <key>`; a missing or wrong key is a 401. The docs
 * (/docs, /docs-json) are served outside Nest's router and stay open.
 */
import { CanActivate, ExecutionContext, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { createHash, timingSafeEqual } from 'node:crypto';
import { API_CONFIG } from '../config/api-config';
import type { ApiConfig } from '../config/api-config';
import { IS_PUBLIC } from './public.decorator';

@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly expected: Buffer | null;

  constructor(
    @Inject(API_CONFIG) config: ApiConfig,
    private readonly reflector: Reflector,
  ) {
    this.expected = config.apiKey ? digest(config.apiKey) : null;
  }

  canActivate(context: ExecutionContext): boolean {
    if (!this.expected) return true;
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()])) return true;
    const header = context.switchToHttp().getRequest<{ headers: Record<string, string | string[] | undefined> }>().headers['authorization'];
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    // Compare digests of equal length in constant time.
    if (match?.[1] && timingSafeEqual(digest(match[1]), this.expected)) return true;
    throw new UnauthorizedException(header ? 'invalid API key' : 'missing "Authorization: Bearer <API key>" header');
  }
}

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();
