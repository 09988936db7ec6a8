import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { Client, Connection } from '@temporalio/client';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry/lib/client';
import { connectionOptions, shutdownTracing } from '@order-fulfillment/platform';
import { API_CONFIG } from '../config/api-config';
import type { ApiConfig } from '../config/api-config';

export const TEMPORAL_CLIENT = Symbol('TEMPORAL_CLIENT');

/** One Temporal client for the process; its connection closes on shutdown. */
@Global()
@Module({
  providers: [
    {
      provide: TEMPORAL_CLIENT,
      inject: [API_CONFIG],
      useFactory: async (config: ApiConfig) => {
        const connection = await Connection.connect(connectionOptions(config.temporal));
        // With tracing on, each call to Temporal is a span and carries the trace to the workflow.
        const interceptors = config.otlpEndpoint ? { workflow: [new OpenTelemetryWorkflowClientInterceptor()] } : undefined;
        return new Client({ connection, namespace: config.temporal.namespace, interceptors });
      },
    },
  ],
  exports: [TEMPORAL_CLIENT],
})
export class TemporalModule implements OnApplicationShutdown {
  constructor(@Inject(TEMPORAL_CLIENT) private readonly client: Client) {}

  async onApplicationShutdown(): Promise<void> {
    await this.client.connection.close();
    await shutdownTracing().catch(() => undefined);
  }
}
