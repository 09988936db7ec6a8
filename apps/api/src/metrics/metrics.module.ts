import { Module } from '@nestjs/common';
import { MetricsService } from './metrics.service';

/** Metrics are served by MetricsService on METRICS_PORT, outside the API's routes. */
@Module({ providers: [MetricsService], exports: [MetricsService] })
export class MetricsModule {}
