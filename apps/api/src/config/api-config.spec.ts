import { ConfigError } from '@order-fulfillment/platform';
import { loadApiConfig } from './api-config';

const base = { DATABASE_URL: 'postgres://u@h/db' };
const KEY_A = 'a'.repeat(32);
const KEY_B = 'b'.repeat(48);

describe('authentication settings', () => {
  it('refuses to start with no key unless AUTH_DISABLED=true says so', () => {
    expect(() => loadApiConfig(base)).toThrow(ConfigError);
    expect(() => loadApiConfig(base)).toThrow(/API_KEY is required.*AUTH_DISABLED=true/);
    expect(loadApiConfig({ ...base, AUTH_DISABLED: 'true' })).toMatchObject({ authDisabled: true, apiKeys: [] });
    expect(() => loadApiConfig({ ...base, AUTH_DISABLED: 'false' })).toThrow(/API_KEY is required/);
  });

  it('refuses a key shorter than 32 characters, without echoing it', () => {
    const short = 'x'.repeat(31);
    expect(() => loadApiConfig({ ...base, API_KEY: short })).toThrow(/31 characters; at least 32/);
    try {
      loadApiConfig({ ...base, API_KEY: short });
    } catch (err) {
      expect((err as Error).message).not.toContain(short);
    }
    expect(loadApiConfig({ ...base, API_KEY: KEY_A }).apiKeys).toEqual([KEY_A]);
  });

  it('accepts several keys at once (API_KEYS and API_KEY), so a key rotates without downtime', () => {
    expect(loadApiConfig({ ...base, API_KEYS: ` ${KEY_A} , ${KEY_B} ` }).apiKeys).toEqual([KEY_A, KEY_B]);
    expect(loadApiConfig({ ...base, API_KEYS: KEY_A, API_KEY: KEY_B }).apiKeys).toEqual([KEY_A, KEY_B]);
    expect(() => loadApiConfig({ ...base, API_KEYS: `${KEY_A},short` })).toThrow(/key 2 of 2 is 5 characters/);
  });

  it('refuses a key together with AUTH_DISABLED=true', () => {
    expect(() => loadApiConfig({ ...base, API_KEY: KEY_A, AUTH_DISABLED: 'true' })).toThrow(/both set/);
  });
});

describe('TRUST_PROXY', () => {
  const load = (value: string) => loadApiConfig({ ...base, AUTH_DISABLED: 'true', TRUST_PROXY: value }).trustProxy;

  it('refuses "true", which would let any client choose its address through X-Forwarded-For', () => {
    expect(() => load('true')).toThrow(/TRUST_PROXY: "true" would believe any client/);
  });

  it('accepts a hop count or a list of addresses, ranges and named ranges', () => {
    expect(load('1')).toBe(1);
    expect(load('false')).toBeNull();
    expect(load('10.0.0.0/8, loopback, 192.168.1.7, fd00::/8')).toEqual(['10.0.0.0/8', 'loopback', '192.168.1.7', 'fd00::/8']);
  });

  it('refuses anything else, naming the entry', () => {
    expect(() => load('yes')).toThrow(/"yes" is not a hop count/);
    expect(() => load('10.0.0.0/33')).toThrow(/"10.0.0.0\/33"/);
    expect(() => load('proxy.internal')).toThrow(/"proxy.internal"/);
    expect(() => load('50')).toThrow(/outside 0..10/);
  });
});

describe('defaults', () => {
  it('a rate limit that limits (100 per 10 s per client), docs on, metrics on their own port, a statement timeout', () => {
    const config = loadApiConfig({ ...base, AUTH_DISABLED: 'true' });
    expect(config.rateLimit).toEqual({ max: 100, windowMs: 10_000 });
    expect(config.redis).toBeNull();
    expect(config.docsEnabled).toBe(true);
    expect(config.metrics.port).toBe(9464);
    expect(config.metrics.port).not.toBe(config.port);
    expect(config.databaseStatementTimeoutMs).toBe(5_000);
    expect(config.maxBodyDepth).toBe(8);
  });

  it('REDIS_URL selects the shared store; DOCS_ENABLED=false turns the docs off', () => {
    const config = loadApiConfig({ ...base, AUTH_DISABLED: 'true', REDIS_URL: 'redis://127.0.0.1:6379', DOCS_ENABLED: 'false' });
    expect(config.redis).toEqual({ url: 'redis://127.0.0.1:6379', keyPrefix: 'order-api:' });
    expect(config.docsEnabled).toBe(false);
  });
});

describe('order policies', () => {
  it('gives orders deadline mode by default, and keeps each mode ready for orders that name one, with the same settings', () => {
    const config = loadApiConfig({ ...base, AUTH_DISABLED: 'true', ORDER_REVIEW_MS: '900' });
    expect(config.orderPolicy.retryMode).toBe('deadline');
    expect(config.orderPolicies.deadline).toEqual(config.orderPolicy);
    expect(config.orderPolicies.seed.retryMode).toBe('seed');
    expect(config.orderPolicies.seed.activities.ChargePayment.retry.maximumAttempts).toBe(3);
    expect(config.orderPolicies.seed.reviewMs).toBe(900);
  });

  it('RETRY_MODE=seed makes the seed policy the default', () => {
    const config = loadApiConfig({ ...base, AUTH_DISABLED: 'true', RETRY_MODE: 'seed' });
    expect(config.orderPolicy.retryMode).toBe('seed');
    expect(config.orderPolicies.deadline.retryMode).toBe('deadline');
  });
});

describe('ADMISSION_*', () => {
  const env = { DATABASE_URL: 'postgres://x/y', AUTH_DISABLED: 'true' };
  it('is adaptive by default, aiming at half the order deadline', () => {
    expect(loadApiConfig(env).admission).toEqual({ mode: 'adaptive', maxInFlight: 1000, minLimit: 8, initialLimit: 40, targetLatencyMs: 7_500, deadlineMs: 15_000, refreshMs: 1_000, windowMs: 10_000 });
  });
  it('a number fixes the limit; off turns it off', () => {
    expect(loadApiConfig({ ...env, ADMISSION_MAX_IN_FLIGHT: '3' }).admission).toMatchObject({ mode: 'fixed', maxInFlight: 3 });
    expect(loadApiConfig({ ...env, ADMISSION_MAX_IN_FLIGHT: 'off' }).admission.mode).toBe('off');
  });
  it('refuses bad values, naming the variable and why', () => {
    expect(() => loadApiConfig({ ...env, ADMISSION_MAX_IN_FLIGHT: '0' })).toThrow(/^ADMISSION_MAX_IN_FLIGHT: "0" is not "adaptive", "off" or an integer in 1..100000/);
    expect(() => loadApiConfig({ ...env, ADMISSION_MAX_IN_FLIGHT: 'lots' })).toThrow(ConfigError);
    expect(() => loadApiConfig({ ...env, ADMISSION_TARGET_LATENCY_MS: '20000' })).toThrow(/ADMISSION_TARGET_LATENCY_MS: 20000 is past the order deadline/);
    expect(() => loadApiConfig({ ...env, ADMISSION_INITIAL_LIMIT: '2' })).toThrow(/ADMISSION_INITIAL_LIMIT/);
  });
});
