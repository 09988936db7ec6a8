/**
 * Where the rate limit's counters live: in this process (the default, one
 * budget per replica) or, when REDIS_URL is set, in Redis, so every replica
 * counts against the same budget. A Redis that does not answer, at start-up
 * (ADR 053) or later, turns throttled requests into 503s with Retry-After
 * until it does (the limit is never silently dropped); the client reconnects
 * by itself.
 */
import { Global, Inject, Logger, Module, OnApplicationShutdown, ServiceUnavailableException } from '@nestjs/common';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import type { ThrottlerStorage } from '@nestjs/throttler';
import Redis, { ReplyError } from 'ioredis';
import { ConfigError } from '@order-fulfillment/platform';
import { API_CONFIG } from '../config/api-config';
import type { ApiConfig } from '../config/api-config';

export const RATE_LIMIT_REDIS = Symbol('RATE_LIMIT_REDIS');
const CONNECT_TIMEOUT_MS = 5_000;

/** The Redis store, with its failures answered as 503 rather than 500. */
export class RedisRateLimitStorage implements ThrottlerStorage {
  private readonly store: ThrottlerStorageRedisService;
  private readonly logger = new Logger('RateLimit');

  constructor(redis: Redis) {
    this.store = new ThrottlerStorageRedisService(redis);
  }

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string) {
    try {
      return await this.store.increment(key, ttl, limit, blockDuration, throttlerName);
    } catch (err) {
      this.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'the rate limit store (Redis) did not answer');
      throw new ServiceUnavailableException('the rate limit store is unavailable; try again shortly');
    }
  }
}

async function connectRedis(config: ApiConfig): Promise<Redis | null> {
  if (!config.redis) return null;
  const redis = new Redis(config.redis.url, {
    keyPrefix: config.redis.keyPrefix,
    lazyConnect: true,
    // Fail a command at once while disconnected instead of queueing requests behind it.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: CONNECT_TIMEOUT_MS,
  });
  redis.on('error', () => undefined); // reported per request (503) and at start-up
  // connect() rejects with "Connection is closed" whatever happened; the reason comes as an 'error' event.
  const seen: unknown[] = [];
  const onError = (err: unknown) => seen.push(err);
  redis.on('error', onError);
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    const where = new URL(config.redis.url);
    // Redis answered and refused (a wrong password, a protected instance): configuration, not an outage.
    const refusal = [err, ...seen].find((e): e is Error => e instanceof ReplyError);
    if (refusal) {
      redis.disconnect();
      throw new ConfigError(`REDIS_URL: Redis at ${where.hostname}:${where.port || 6379} refused the connection (${refusal.message})`);
    }
    new Logger('RateLimit').warn(
      { err: err instanceof Error ? err.message : String(err), redis: `${where.hostname}:${where.port || 6379}` },
      'Redis did not answer at start-up; the rate-limited routes answer 503 until it does',
    );
  } finally {
    redis.off('error', onError);
  }
  return redis;
}

@Global()
@Module({
  providers: [{ provide: RATE_LIMIT_REDIS, inject: [API_CONFIG], useFactory: connectRedis }],
  exports: [RATE_LIMIT_REDIS],
})
export class RateLimitModule implements OnApplicationShutdown {
  constructor(@Inject(RATE_LIMIT_REDIS) private readonly redis: Redis | null) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.redis && this.redis.status !== 'end') await this.redis.quit().catch(() => this.redis?.disconnect());
  }
}
