import { Controller, Get, Inject, Logger } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import type { Client } from '@temporalio/client';
import type { DataSource } from 'typeorm';
import { Public } from '../common/public.decorator';
import { DATA_SOURCE } from '../database/database.module';
import { TEMPORAL_CLIENT } from '../temporal/temporal.module';

@ApiTags('health')
@Controller('health')
@Public()
@SkipThrottle()
export class HealthController {
  private readonly logger = new Logger('Health');

  constructor(
    private readonly health: HealthCheckService,
    private readonly indicator: HealthIndicatorService,
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(TEMPORAL_CLIENT) private readonly temporal: Client,
  ) {}

  /** The process is alive. */
  @Get('live')
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  /**
   * The database and Temporal answer. A failing check says only "unavailable"
   * (or "no answer in 2000 ms"): the error itself, which can name hosts and
   * users, goes to the log, not to whoever asks.
   */
  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([
      () => this.probe('database', () => this.dataSource.query('SELECT 1')),
      () => this.probe('temporal', () => this.temporal.withDeadline(Date.now() + 2_000, () => this.temporal.workflowService.getSystemInfo({}))),
    ]);
  }

  private async probe(key: string, check: () => Promise<unknown>) {
    const indicator = this.indicator.check(key);
    try {
      await withTimeout(check(), 2_000);
      return indicator.up();
    } catch (err) {
      const timedOut = err instanceof ProbeTimeout;
      this.logger.warn({ check: key, err: err instanceof Error ? err.message : String(err) }, 'readiness check failed');
      return indicator.down({ message: timedOut ? err.message : 'unavailable' });
    }
  }
}

class ProbeTimeout extends Error {}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([promise, new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new ProbeTimeout(`no answer in ${ms} ms`)), ms)))]).finally(
    () => clearTimeout(timer),
  );
}
