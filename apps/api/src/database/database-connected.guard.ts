/**
 * While the database has not answered since start-up (ADR 053), the order
 * routes answer 503 with Retry-After before doing anything, as they do when it
 * goes away later. Routes that never read it (`@WithoutDatabase()`) are served.
 */
import { CanActivate, ExecutionContext, Inject, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { unavailable } from '../common/outage';
import { DATABASE_CONNECTION } from './database.module';
import type { DatabaseConnection } from './database.module';

const WITHOUT_DATABASE = 'api:without-database';

/** Marks a route that does not read the database (the Temporal view of an order). */
export const WithoutDatabase = (): MethodDecorator => SetMetadata(WITHOUT_DATABASE, true);

@Injectable()
export class DatabaseConnectedGuard implements CanActivate {
  constructor(
    @Inject(DATABASE_CONNECTION) private readonly database: DatabaseConnection,
    private readonly reflector: Reflector,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (this.database.connected || this.reflector.get<boolean>(WITHOUT_DATABASE, context.getHandler())) return true;
    throw unavailable('database');
  }
}
