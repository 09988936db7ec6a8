import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';

/**
 * Says when a graceful shutdown starts and ends. Nest owns SIGTERM/SIGINT
 * (enableShutdownHooks): it stops accepting connections, lets in-flight
 * requests finish, then closes the Temporal connection and the database pool.
 */
@Injectable()
export class LifecycleLogger implements BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger('Lifecycle');

  beforeApplicationShutdown(signal?: string): void {
    this.logger.log(`shutting down${signal ? ` on ${signal}` : ''}: finishing in-flight requests`);
  }

  onApplicationShutdown(signal?: string): void {
    this.logger.log(`stopped${signal ? ` on ${signal}` : ''}`);
  }
}
