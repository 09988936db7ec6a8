/**
 * The API's configuration, read and validated once at start-up. A bad value
 * stops the process with the variable's name and the reason (never the value
 * of a secret).
 */
import { isIP } from 'node:net';
import type { OrderPolicy, RetryMode } from '@order-fulfillment/contracts';
import { RETRY_MODES } from '@order-fulfillment/contracts';
import { ConfigError, booleanEnv, numberEnv, optionalEnv, otlpEndpoint, resolveOrderPolicy, stringEnv, temporalConfig } from '@order-fulfillment/platform';
import type { Env, TemporalConfig } from '@order-fulfillment/platform';

/** Shortest API key accepted: 32 characters, for example `openssl rand -hex 32` gives 64. */
export const MIN_API_KEY_LENGTH = 32;

export interface ApiConfig {
  port: number;
  host: string;
  databaseUrl: string;
  databasePoolSize: number;
  /** Longest a single SQL statement of this API may run (PostgreSQL statement_timeout), ms. */
  databaseStatementTimeoutMs: number;
  /** The order path's statements as named prepared statements (DATABASE_PREPARED_STATEMENTS, ADR 054). */
  databasePreparedStatements: boolean;
  temporal: TemporalConfig;
  /** Deadline of one Temporal call (start, query, describe), ms; past it the answer is a 503. */
  temporalTimeoutMs: number;
  /** Deadline of an update (cancel, address, approve), ms; past it the outcome is unknown (504). */
  updateTimeoutMs: number;
  /** Policy given to every order started by this API (RETRY_MODE's, `deadline` by default). */
  orderPolicy: OrderPolicy;
  /**
   * The policy of each retry mode, with this API's other settings: for an
   * order that carries its own `retryMode` (only with ALLOW_FAULT_INJECTION=true).
   */
  orderPolicies: Record<RetryMode, OrderPolicy>;
  /**
   * Keys accepted in `Authorization: Bearer <key>` (API_KEYS, comma-separated,
   * and/or API_KEY). Several at once so a key is rotated without downtime.
   * Empty only when `authDisabled`.
   */
  apiKeys: string[];
  /** AUTH_DISABLED=true: every route is open. Never the default. */
  authDisabled: boolean;
  /** Origins allowed by CORS; `['*']` allows any; empty disables CORS. */
  corsOrigins: string[];
  /** Largest JSON body accepted (bytes or `100kb`); larger bodies get 413. */
  bodyLimit: string;
  /** Deepest nesting of arrays and objects accepted in a JSON body; deeper is a 400. */
  maxBodyDepth: number;
  /** Per-client rate limit: at most `max` requests per `windowMs`; `max: 0` turns it off. */
  rateLimit: { max: number; windowMs: number };
  /** When set, the rate limit's counters live in this Redis, shared by every replica. */
  redis: { url: string; keyPrefix: string } | null;
  /** Express `trust proxy`: a hop count or a list of trusted proxy addresses; null trusts none. */
  trustProxy: number | string[] | null;
  /** Serve /docs and /docs-json (DOCS_ENABLED, default true). */
  docsEnabled: boolean;
  /** Prometheus metrics on their own port (METRICS_PORT; 0 turns them off). */
  metrics: { port: number; host: string; cacheMs: number };
  /** pino level: fatal, error, warn, info, debug, trace or silent. */
  logLevel: string;
  /** Accept per-order fault plans (chaos testing); off unless ALLOW_FAULT_INJECTION=true. */
  allowFaultInjection: boolean;
  /** OpenTelemetry tracing over OTLP to this endpoint (OTEL_EXPORTER_OTLP_ENDPOINT); null: off. */
  otlpEndpoint: string | null;
  /** Admission control of POST /orders (ADR 039). */
  admission: AdmissionConfig;
}

export interface AdmissionConfig {
  /**
   * ADMISSION_MAX_IN_FLIGHT: `adaptive` (the default) learns the limit from
   * recent completion latencies; a number fixes it; `off` admits everything.
   */
  mode: 'adaptive' | 'fixed' | 'off';
  /** The fixed limit (mode `fixed`); the adaptive limit's ceiling otherwise. */
  maxInFlight: number;
  /** Adaptive floor (ADMISSION_MIN_LIMIT). */
  minLimit: number;
  /** Adaptive limit before anything has been learnt (ADMISSION_INITIAL_LIMIT). */
  initialLimit: number;
  /** Average POST→end latency the adaptive limit aims at, ms (ADMISSION_TARGET_LATENCY_MS; default half the order deadline). */
  targetLatencyMs: number;
  /** Orders count as in flight until they end or their deadline passes, ms (the order policy's deadline). */
  deadlineMs: number;
  /** How often the limit is recomputed from the orders table, ms (ADMISSION_REFRESH_MS). */
  refreshMs: number;
  /** The window of recent completions the limit learns from, ms (ADMISSION_WINDOW_MS). */
  windowMs: number;
}

export const API_CONFIG = Symbol('API_CONFIG');

export function loadApiConfig(env: Env = process.env): ApiConfig {
  const { apiKeys, authDisabled } = authConfig(env);
  const redisUrl = optionalEnv(env, 'REDIS_URL');
  const orderPolicy = resolveOrderPolicy(env);
  return {
    port: numberEnv(env, 'PORT', 8000, { min: 1, max: 65535 }),
    host: stringEnv(env, 'HOST', '0.0.0.0'),
    databaseUrl: stringEnv(env, 'DATABASE_URL'),
    databasePoolSize: numberEnv(env, 'DATABASE_POOL_SIZE', 10, { min: 1, max: 500 }),
    databaseStatementTimeoutMs: numberEnv(env, 'DATABASE_STATEMENT_TIMEOUT_MS', 5_000, { min: 100, max: 600_000 }),
    databasePreparedStatements: booleanEnv(env, 'DATABASE_PREPARED_STATEMENTS', true),
    temporal: temporalConfig(env),
    temporalTimeoutMs: numberEnv(env, 'TEMPORAL_RPC_TIMEOUT_MS', 5_000, { min: 500, max: 120_000 }),
    updateTimeoutMs: numberEnv(env, 'TEMPORAL_UPDATE_TIMEOUT_MS', 10_000, { min: 500, max: 120_000 }),
    orderPolicy,
    orderPolicies: Object.fromEntries(RETRY_MODES.map((mode) => [mode, resolveOrderPolicy(env, mode)])) as Record<RetryMode, OrderPolicy>,
    apiKeys,
    authDisabled,
    corsOrigins: (optionalEnv(env, 'CORS_ORIGINS') ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    bodyLimit: stringEnv(env, 'BODY_LIMIT', '100kb'),
    maxBodyDepth: numberEnv(env, 'BODY_MAX_DEPTH', 8, { min: 3, max: 32 }),
    rateLimit: {
      max: numberEnv(env, 'RATE_LIMIT_MAX', 100, { min: 0, max: 100_000 }),
      windowMs: numberEnv(env, 'RATE_LIMIT_WINDOW_MS', 10_000, { min: 100, max: 3_600_000 }),
    },
    redis: redisUrl ? { url: redisUrl, keyPrefix: stringEnv(env, 'REDIS_KEY_PREFIX', 'order-api:') } : null,
    trustProxy: trustProxy(optionalEnv(env, 'TRUST_PROXY')),
    docsEnabled: booleanEnv(env, 'DOCS_ENABLED', true),
    metrics: {
      port: numberEnv(env, 'METRICS_PORT', 9464, { min: 0, max: 65535 }),
      host: stringEnv(env, 'METRICS_HOST', '0.0.0.0'),
      cacheMs: numberEnv(env, 'METRICS_CACHE_MS', 15_000, { min: 0, max: 3_600_000 }),
    },
    logLevel: logLevel(optionalEnv(env, 'LOG_LEVEL') ?? 'info'),
    allowFaultInjection: booleanEnv(env, 'ALLOW_FAULT_INJECTION', false),
    otlpEndpoint: otlpEndpoint(env),
    admission: admissionConfig(env, orderPolicy.deadlineMs),
  };
}

const ADAPTIVE_CEILING = 1_000;

/** ADMISSION_*: `adaptive` by default; a positive integer fixes the limit; `off` turns admission control off. */
export function admissionConfig(env: Env, deadlineMs: number): AdmissionConfig {
  const raw = (optionalEnv(env, 'ADMISSION_MAX_IN_FLIGHT') ?? 'adaptive').trim().toLowerCase();
  let mode: AdmissionConfig['mode'];
  let maxInFlight = ADAPTIVE_CEILING;
  if (raw === 'adaptive' || raw === 'off') mode = raw;
  else if (/^\d+$/.test(raw) && Number(raw) >= 1 && Number(raw) <= 100_000) {
    mode = 'fixed';
    maxInFlight = Number(raw);
  } else {
    throw new ConfigError(`ADMISSION_MAX_IN_FLIGHT: "${raw}" is not "adaptive", "off" or an integer in 1..100000 (the most orders in flight at once)`);
  }
  const minLimit = numberEnv(env, 'ADMISSION_MIN_LIMIT', 8, { min: 1, max: 100_000 });
  if (mode === 'adaptive' && minLimit > maxInFlight) throw new ConfigError(`ADMISSION_MIN_LIMIT: ${minLimit} is above the adaptive ceiling ${maxInFlight}`);
  const initialLimit = numberEnv(env, 'ADMISSION_INITIAL_LIMIT', 40, { min: minLimit, max: 100_000 });
  const targetLatencyMs = numberEnv(env, 'ADMISSION_TARGET_LATENCY_MS', Math.round(deadlineMs / 2), { min: 100, max: 3_600_000 });
  if (targetLatencyMs > deadlineMs) throw new ConfigError(`ADMISSION_TARGET_LATENCY_MS: ${targetLatencyMs} is past the order deadline (ORDER_DEADLINE_MS, ${deadlineMs}); orders admitted at that latency would miss it`);
  return {
    mode,
    maxInFlight,
    minLimit,
    initialLimit,
    targetLatencyMs,
    deadlineMs,
    refreshMs: numberEnv(env, 'ADMISSION_REFRESH_MS', 1_000, { min: 50, max: 60_000 }),
    windowMs: numberEnv(env, 'ADMISSION_WINDOW_MS', 10_000, { min: 1_000, max: 600_000 }),
  };
}

/**
 * Authentication is on unless AUTH_DISABLED=true says otherwise: without a key
 * the API refuses to start. Keys shorter than {@link MIN_API_KEY_LENGTH} are
 * refused (by position, never echoed); a key together with AUTH_DISABLED=true
 * is refused as contradictory.
 */
function authConfig(env: Env): { apiKeys: string[]; authDisabled: boolean } {
  const authDisabled = booleanEnv(env, 'AUTH_DISABLED', false);
  const keys = [...(optionalEnv(env, 'API_KEYS') ?? '').split(','), optionalEnv(env, 'API_KEY') ?? '']
    .map((k) => k.trim())
    .filter(Boolean);
  if (authDisabled) {
    if (keys.length) throw new ConfigError('AUTH_DISABLED=true and an API key are both set: choose one (unset API_KEY/API_KEYS, or AUTH_DISABLED)');
    return { apiKeys: [], authDisabled: true };
  }
  if (!keys.length) {
    throw new ConfigError(
      `API_KEY is required: set API_KEY (or API_KEYS=key1,key2 to rotate) to a random key of at least ${MIN_API_KEY_LENGTH} characters ` +
        '(for example `openssl rand -hex 32`), or set AUTH_DISABLED=true to run without authentication (local development only)',
    );
  }
  keys.forEach((key, i) => {
    if (key.length < MIN_API_KEY_LENGTH) throw new ConfigError(`API key ${i + 1} of ${keys.length} is ${key.length} characters; at least ${MIN_API_KEY_LENGTH} are required`);
    if (/\s/.test(key)) throw new ConfigError(`API key ${i + 1} of ${keys.length} contains whitespace`);
  });
  return { apiKeys: [...new Set(keys)], authDisabled: false };
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function logLevel(raw: string): string {
  const level = raw.toLowerCase();
  if (!LOG_LEVELS.includes(level)) throw new ConfigError(`LOG_LEVEL: "${raw}" is not one of ${LOG_LEVELS.join(', ')}`);
  return level;
}

const NAMED_RANGES = ['loopback', 'linklocal', 'uniquelocal'];

/**
 * How many proxies in front of the API to believe, as a hop count (`1`), or
 * which: a list of addresses, CIDR ranges or Express's names
 * (`loopback, 10.0.0.0/8`). `true` (believe any X-Forwarded-For) is refused: it
 * lets every client choose the address its rate limit is counted under.
 */
export function trustProxy(raw: string | undefined): number | string[] | null {
  if (raw === undefined || raw === 'false' || raw === '0') return null;
  if (raw === 'true') {
    throw new ConfigError('TRUST_PROXY: "true" would believe any client\'s X-Forwarded-For; give the number of proxies in front of the API (1) or their addresses (10.0.0.0/8, loopback)');
  }
  if (/^\d+$/.test(raw)) {
    const hops = Number(raw);
    if (hops > 10) throw new ConfigError(`TRUST_PROXY: ${hops} hops is outside 0..10`);
    return hops;
  }
  const entries = raw.split(',').map((s) => s.trim()).filter(Boolean);
  for (const entry of entries) {
    if (NAMED_RANGES.includes(entry)) continue;
    const [address, bits, ...rest] = entry.split('/');
    const family = isIP(address ?? '');
    const validBits = bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= (family === 6 ? 128 : 32));
    if (!family || !validBits || rest.length) {
      throw new ConfigError(`TRUST_PROXY: "${entry}" is not a hop count, an IP address, a CIDR range or one of ${NAMED_RANGES.join(', ')}`);
    }
  }
  if (!entries.length) throw new ConfigError('TRUST_PROXY: is empty');
  return entries;
}
