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
      useFactory: async (config: ApiConfig) =>
        createDataSource({ url: config.databaseUrl, poolSize: config.databasePoolSize, applicationName: 'api' }).initialize(),
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
