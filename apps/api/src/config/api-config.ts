/**
 * The API's configuration, read and validated once at start-up. A bad value
 * stops the process with the variable's name and the reason.
 */
import type { OrderPolicy } from '@order-fulfillment/contracts';
import { booleanEnv, numberEnv, optionalEnv, resolveOrderPolicy, stringEnv, temporalConfig } from '@order-fulfillment/platform';
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
  corsOrigins: string[];
  bodyLimit: string;
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
    allowFaultInjection: booleanEnv(env, 'ALLOW_FAULT_INJECTION', false),
  };
}
