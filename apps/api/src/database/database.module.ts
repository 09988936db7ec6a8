/**
 * The API's PostgreSQL (ADR 053). The API starts without it: a database that
 * does not answer at start-up (down, restarting, not reachable yet) is
 * connected to in the background, every RECONNECT_MS, while /health/ready and
 * the order routes answer 503 with Retry-After. A crash loop would serve
 * nothing at all, not even the 503 that tells a load balancer or a client to
 * wait. A database that answers but refuses (a wrong password, no such
 * database) stops the start-up: that is configuration, not an outage.
 */
import { Global, Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { createDataSource, OrderStore } from '@order-fulfillment/db';
import { ConfigError } from '@order-fulfillment/platform';
import { outageOf } from '../common/outage';
import { API_CONFIG } from '../config/api-config';
import type { ApiConfig } from '../config/api-config';

export const DATA_SOURCE = Symbol('DATA_SOURCE');
export const DATABASE_CONNECTION = Symbol('DATABASE_CONNECTION');

/** How long between two attempts to reach a database that did not answer at start-up. */
export const RECONNECT_MS = 2_000;
/** A warning every 30 s while it does not answer. */
const LOG_EVERY = 15;

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));
const isServerError = (err: unknown): boolean => /^[0-9A-Z]{5}$/.test(String((err as { code?: unknown } | null)?.code ?? ''));

/** Initialises the data source now or, when the database is down, in the background until it answers. */
export class DatabaseConnection {
  private readonly logger = new Logger('Database');
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private attempt: Promise<void> | null = null;
  private attempts = 0;

  constructor(readonly dataSource: DataSource) {}

  get connected(): boolean {
    return this.dataSource.isInitialized;
  }

  /** Resolves once connected, or once the first attempt found the database down (the rest goes on in the background). */
  async start(): Promise<void> {
    try {
      await this.dataSource.initialize();
    } catch (err) {
      if (!outageOf(err)) {
        // PostgreSQL answered with an error of its own (an SQLSTATE: 28P01 a wrong password, 3D000 no such database).
        if (isServerError(err)) throw new ConfigError(`DATABASE_URL: the database refused the connection (${messageOf(err)})`);
        throw err;
      }
      this.logger.warn(
        { err: messageOf(err), retryMs: RECONNECT_MS },
        'the database did not answer at start-up; connecting in the background (/health/ready and the order routes answer 503 until it does)',
      );
      this.schedule();
    }
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.attempt = this.retry().finally(() => (this.attempt = null));
    }, RECONNECT_MS);
  }

  private async retry(): Promise<void> {
    this.attempts++;
    try {
      await this.dataSource.initialize();
      this.logger.log({ attempts: this.attempts }, 'connected to the database');
    } catch (err) {
      // Not answering yet, or refusing: either way only the server or DATABASE_URL can mend it.
      // Keep trying, and say why every LOG_EVERY attempts rather than every RECONNECT_MS.
      if (this.attempts % LOG_EVERY === 0) this.logger.warn({ err: messageOf(err), attempts: this.attempts }, 'the database still does not answer');
      this.schedule();
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.attempt;
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}

@Global()
@Module({
  providers: [
    {
      provide: DATABASE_CONNECTION,
      inject: [API_CONFIG],
      useFactory: async (config: ApiConfig) => {
        const dataSource = createDataSource({ url: config.databaseUrl, poolSize: config.databasePoolSize, applicationName: 'api' });
        // No statement of a request runs longer than this: PostgreSQL cancels it (an answer of 503, not a pile-up).
        dataSource.setOptions({ extra: { ...(dataSource.options.extra as object), statement_timeout: config.databaseStatementTimeoutMs } });
        const connection = new DatabaseConnection(dataSource);
        await connection.start();
        return connection;
      },
    },
    { provide: DATA_SOURCE, inject: [DATABASE_CONNECTION], useFactory: (connection: DatabaseConnection) => connection.dataSource },
    { provide: OrderStore, inject: [DATA_SOURCE], useFactory: (dataSource: DataSource) => new OrderStore(dataSource) },
  ],
  exports: [DATA_SOURCE, DATABASE_CONNECTION, OrderStore],
})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(@Inject(DATABASE_CONNECTION) private readonly connection: DatabaseConnection) {}

  async onApplicationShutdown(): Promise<void> {
    await this.connection.stop();
  }
}
