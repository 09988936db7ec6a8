import { Global, Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { Client, Connection, ServiceError } from '@temporalio/client';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry/lib/client';
import { connectionOptions, shutdownTracing } from '@order-fulfillment/platform';
import { outageOf } from '../common/outage';
import { API_CONFIG } from '../config/api-config';
import type { ApiConfig } from '../config/api-config';

export const TEMPORAL_CLIENT = Symbol('TEMPORAL_CLIENT');

/**
 * Connects to Temporal, or goes on without it when it does not answer at start-up (ADR 053): the
 * connection's channel reaches it when it comes, and until then /health/ready and every call to
 * it answer 503. A Temporal that answers but refuses (an API key it does not accept) stops the start-up.
 */
async function connect(config: ApiConfig): Promise<Connection> {
  const connection = Connection.lazy(connectionOptions(config.temporal));
  try {
    await connection.ensureConnected();
  } catch (err) {
    // Not a ServiceError: the channel never became ready before the connect timeout.
    if (err instanceof ServiceError && outageOf(err) !== 'temporal') throw err;
    new Logger('Temporal').warn(
      { err: err instanceof Error ? err.message : String(err), address: config.temporal.address },
      'Temporal did not answer at start-up; going on without it (/health/ready and the order routes answer 503 until it does)',
    );
  }
  return connection;
}

/** One Temporal client for the process; its connection closes on shutdown. */
@Global()
@Module({
  providers: [
    {
      provide: TEMPORAL_CLIENT,
      inject: [API_CONFIG],
      useFactory: async (config: ApiConfig) => {
        const connection = await connect(config);
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
