import pino from 'pino';
import type { Logger } from 'pino';
import { Env } from './env';
import { currentLogContext } from './log-context';

export type { Logger };

/**
 * Structured JSON logs (one object per line), level from LOG_LEVEL. A line
 * written inside `withLogContext` carries its order's fields (log-context.ts).
 */
export function createLogger(service: string, env: Env = process.env, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    name: service,
    level: env['LOG_LEVEL'] ?? 'info',
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    mixin: () => ({ ...currentLogContext() }),
  };
  return destination ? pino(options, destination) : pino(options);
}
