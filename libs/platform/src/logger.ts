import pino from 'pino';
import type { Logger } from 'pino';
import { Env } from './env';

export type { Logger };

/** Structured JSON logs (one object per line), level from LOG_LEVEL. */
export function createLogger(service: string, env: Env = process.env): Logger {
  return pino({ name: service, level: env['LOG_LEVEL'] ?? 'info', base: { service }, timestamp: pino.stdTimeFunctions.isoTime });
}
