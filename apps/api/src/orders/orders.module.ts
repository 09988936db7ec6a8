import { Module } from '@nestjs/common';
import { AdmissionService } from '../admission/admission.service';
import { MetricsModule } from '../metrics/metrics.module';
import { OrdersController } from './orders.controller';
import { OrdersService } from './orders.service';

@Module({ imports: [MetricsModule], controllers: [OrdersController], providers: [OrdersService, AdmissionService] })
export class OrdersModule {}
