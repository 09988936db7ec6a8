import { DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';
import type Redis from 'ioredis';
import { LoggerModule } from 'nestjs-pino';
import type { Logger } from '@order-fulfillment/platform';
import { ApiKeyGuard } from './common/api-key.guard';
import { LifecycleLogger } from './common/lifecycle-logger';
import { OrderLogInterceptor } from './common/order-log.interceptor';
import { ApiConfig } from './config/api-config';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health/health.module';
import { MetricsModule } from './metrics/metrics.module';
import { OrdersModule } from './orders/orders.module';
import { RATE_LIMIT_REDIS, RateLimitModule, RedisRateLimitStorage } from './rate-limit/rate-limit.module';
import { TemporalModule } from './temporal/temporal.module';

@Module({})
export class AppModule {
  /**
   * `logger` is the process's pino logger; pino-http is mounted by createApp in
   * front of the body parser, so the LoggerModule only binds each request's
   * logger to its async context (`useExisting`).
   */
  static forRoot(config: ApiConfig, logger: Logger): DynamicModule {
    const { max, windowMs } = config.rateLimit;
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot({ pinoHttp: { logger }, useExisting: true, assignResponse: true }),
        RateLimitModule,
        ThrottlerModule.forRootAsync({
          inject: [RATE_LIMIT_REDIS],
          useFactory: (redis: Redis | null) => ({
            throttlers: [{ name: 'default', limit: max, ttl: windowMs }],
            // One budget per client across all routes (the default is one per route).
            generateKey: (_context, tracker, name) => `${name}:${tracker}`,
            skipIf: () => max === 0,
            errorMessage: `too many requests: at most ${max} per ${windowMs} ms per client`,
            // Shared by every replica when REDIS_URL is set; else this process's memory.
            ...(redis ? { storage: new RedisRateLimitStorage(redis) } : {}),
          }),
        }),
        DatabaseModule,
        TemporalModule,
        HealthModule,
        MetricsModule,
        OrdersModule,
      ],
      providers: [
        // Order matters: the rate limit applies before the key is checked, so
        // guessing keys is throttled too.
        { provide: APP_GUARD, useClass: ThrottlerGuard },
        { provide: APP_GUARD, useClass: ApiKeyGuard },
        { provide: APP_INTERCEPTOR, useClass: OrderLogInterceptor },
        LifecycleLogger,
      ],
    };
  }
}
