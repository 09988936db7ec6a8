/**
 * The API's configuration, read and validated once at start-up. A bad value
 * stops the process with the variable's name and the reason.
 */
import type { OrderPolicy } from '@order-fulfillment/contracts';
import { ConfigError, booleanEnv, numberEnv, optionalEnv, resolveOrderPolicy, stringEnv, temporalConfig } from '@order-fulfillment/platform';
import type { Env, TemporalConfig } from '@order-fulfillment/platform';

export interface ApiConfig {
  port: number;
  host: string;
  databaseUrl: string;
  databasePoolSize: number;
  temporal: TemporalConfig;
  /** Policy given to every order started by this API. */
  orderPolicy: OrderPolicy;
  /** When set, requests other than health, metrics and docs need `Authorization: Bearer <key>`. */
  apiKey: string | null;
  /** Origins allowed by CORS; `['*']` allows any; empty disables CORS. */
  corsOrigins: string[];
  /** Largest JSON body accepted (bytes or `100kb`); larger bodies get 413. */
  bodyLimit: string;
  /** Per-client rate limit: at most `max` requests per `windowMs`; `max: 0` turns it off. */
  rateLimit: { max: number; windowMs: number };
  /** Express `trust proxy`: whose X-Forwarded-For to believe when identifying a client; null trusts none. */
  trustProxy: boolean | number | string | null;
  /** pino level: fatal, error, warn, info, debug, trace or silent. */
  logLevel: string;
  /** Accept per-order fault plans (chaos testing); off unless ALLOW_FAULT_INJECTION=true. */
  allowFaultInjection: boolean;
}

export const API_CONFIG = Symbol('API_CONFIG');

export function loadApiConfig(env: Env = process.env): ApiConfig {
  return {
    port: numberEnv(env, 'PORT', 8000, { min: 1, max: 65535 }),
    host: stringEnv(env, 'HOST', '0.0.0.0'),
    databaseUrl: stringEnv(env, 'DATABASE_URL'),
    databasePoolSize: numberEnv(env, 'DATABASE_POOL_SIZE', 10, { min: 1, max: 500 }),
    temporal: temporalConfig(env),
    orderPolicy: resolveOrderPolicy(env),
    apiKey: optionalEnv(env, 'API_KEY') ?? null,
    corsOrigins: (optionalEnv(env, 'CORS_ORIGINS') ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    bodyLimit: stringEnv(env, 'BODY_LIMIT', '100kb'),
    rateLimit: {
      max: numberEnv(env, 'RATE_LIMIT_MAX', 20_000, { min: 0, max: 10_000_000 }),
      windowMs: numberEnv(env, 'RATE_LIMIT_WINDOW_MS', 10_000, { min: 100, max: 3_600_000 }),
    },
    trustProxy: trustProxy(optionalEnv(env, 'TRUST_PROXY')),
    logLevel: logLevel(optionalEnv(env, 'LOG_LEVEL') ?? 'info'),
    allowFaultInjection: booleanEnv(env, 'ALLOW_FAULT_INJECTION', false),
  };
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function logLevel(raw: string): string {
  const level = raw.toLowerCase();
  if (!LOG_LEVELS.includes(level)) throw new ConfigError(`LOG_LEVEL: "${raw}" is not one of ${LOG_LEVELS.join(', ')}`);
  return level;
}

/** `true`/`false`, a hop count, or Express's list of trusted addresses (`loopback, 10.0.0.0/8`). */
function trustProxy(raw: string | undefined): boolean | number | string | null {
  if (raw === undefined || raw === 'false') return null;
  if (raw === 'true') return true;
  if (/^\d+$/.test(raw)) return Number(raw);
  return raw;
}
