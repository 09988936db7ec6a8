import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { createDataSource, OrderStore } from '@order-fulfillment/db';
import { API_CONFIG } from '../config/api-config';
import type { ApiConfig } from '../config/api-config';

export const DATA_SOURCE = Symbol('DATA_SOURCE');

@Global()
@Module({
  providers: [
    {
      provide: DATA_SOURCE,
      inject: [API_CONFIG],
      useFactory: async (config: ApiConfig) => {
        const dataSource = createDataSource({ url: config.databaseUrl, poolSize: config.databasePoolSize, applicationName: 'api' });
        // No statement of a request runs longer than this: PostgreSQL cancels it (an answer of 503, not a pile-up).
        dataSource.setOptions({ extra: { ...(dataSource.options.extra as object), statement_timeout: config.databaseStatementTimeoutMs } });
        return dataSource.initialize();
      },
    },
    { provide: OrderStore, inject: [DATA_SOURCE], useFactory: (dataSource: DataSource) => new OrderStore(dataSource) },
  ],
  exports: [DATA_SOURCE, OrderStore],
})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(@Inject(DATA_SOURCE) private readonly dataSource: DataSource) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
