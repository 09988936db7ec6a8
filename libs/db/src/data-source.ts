import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { EventEntity } from './entities/event.entity';
import { OrderEntity } from './entities/order.entity';
import { PaymentEntity } from './entities/payment.entity';
import { Init1764115200001 } from './migrations/001-init';
import { MoneyAndGoods1764115200002 } from './migrations/002-money-and-goods';
import { Admissions1764115200039 } from './migrations/003-admissions';
import { AdmissionInOneCall1764115200040 } from './migrations/004-admission-in-one-call';
import { PreparingClient } from './prepared';
import { QueryLog } from './query-log';
import type { QueryErrorSink } from './query-log';

/** Entities and migrations are listed, never globbed: what ships is what is named here. */
export const ENTITIES = [OrderEntity, PaymentEntity, EventEntity];
export const MIGRATIONS = [Init1764115200001, MoneyAndGoods1764115200002, Admissions1764115200039, AdmissionInOneCall1764115200040];

export interface DataSourceConfig {
  url: string;
  /** Connections in the pool. */
  poolSize?: number;
  applicationName?: string;
  /** Send the order path's statements as named prepared statements (ADR 054); default true. */
  preparedStatements?: boolean;
  /** Where a failed statement is reported, one line without its parameters (query-log.ts); none: not logged (the caller gets the error). */
  log?: QueryErrorSink;
}

export function createDataSource({
  url,
  poolSize = 10,
  applicationName = 'order-fulfillment',
  preparedStatements = true,
  log,
}: DataSourceConfig): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    // The schema is owned by migrations alone.
    synchronize: false,
    migrationsRun: false,
    // An object logger is used as it is (TypeORM ignores `logging` then): QueryLog decides what is written.
    logger: new QueryLog(log ?? null),
    applicationName,
    extra: { max: poolSize, connectionTimeoutMillis: 5_000, ...(preparedStatements ? { Client: PreparingClient } : {}) },
  });
}

/** Applies pending migrations; returns the names applied. */
export async function migrate(url: string): Promise<string[]> {
  const dataSource = createDataSource({ url, poolSize: 1, applicationName: 'order-fulfillment-migrate' });
  await dataSource.initialize();
  try {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    await dataSource.destroy();
  }
}
