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
import { createDataSource, connectionRefusal, initializeWhenReachable, isDatabaseOutage, OrderStore } from '@order-fulfillment/db';
import { ConfigError } from '@order-fulfillment/platform';
import { API_CONFIG } from '../config/api-config';
import type { ApiConfig } from '../config/api-config';

export const DATA_SOURCE = Symbol('DATA_SOURCE');
export const DATABASE_CONNECTION = Symbol('DATABASE_CONNECTION');

/** How long between two attempts to reach a database that did not answer at start-up. */
export const RECONNECT_MS = 2_000;

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Initialises the data source now or, when the database is down, in the background until it answers. */
export class DatabaseConnection {
  private readonly logger = new Logger('Database');
  private stopped = false;
  private waiting: Promise<void> | null = null;

  constructor(readonly dataSource: DataSource) {}

  get connected(): boolean {
    return this.dataSource.isInitialized;
  }

  /** Resolves once connected, or once the first attempt found the database down (the rest goes on in the background). */
  async start(): Promise<void> {
    try {
      await this.dataSource.initialize();
    } catch (err) {
      if (!isDatabaseOutage(err)) {
        const refusal = connectionRefusal(err);
        throw refusal ? new ConfigError(refusal) : err;
      }
      this.logger.warn(
        { err: messageOf(err), retryMs: RECONNECT_MS },
        'the database did not answer at start-up; connecting in the background (/health/ready and the order routes answer 503 until it does)',
      );
      this.waiting = this.connectInBackground();
    }
  }

  private async connectInBackground(): Promise<void> {
    await sleep(RECONNECT_MS);
    try {
      const connected = await initializeWhenReachable(this.dataSource, {
        retryMs: RECONNECT_MS,
        stopped: () => this.stopped,
        onWait: (err, attempts) => attempts > 1 && this.logger.warn({ err: messageOf(err), attempts }, 'the database still does not answer'),
      });
      if (connected) this.logger.log('connected to the database');
    } catch (err) {
      // It answered, and refused: only DATABASE_URL or the server can mend that. Say so; stay not ready.
      this.logger.error({ err: messageOf(err) }, 'the database refused the connection; the order routes answer 503 until the API is restarted with a working DATABASE_URL');
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.waiting;
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
        const dataSource = createDataSource({
          url: config.databaseUrl,
          poolSize: config.databasePoolSize,
          applicationName: 'api',
          preparedStatements: config.databasePreparedStatements,
          // A failed statement is one JSON line of the API's log, without its parameters.
          log: new Logger('Database'),
        });
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
