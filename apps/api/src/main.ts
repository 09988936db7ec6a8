/** api: the REST API on PORT (8000). */
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { runMain, startTracing } from '@order-fulfillment/platform';
import { createApp } from './app';
import { loadApiConfig } from './config/api-config';

runMain('api', async () => {
  const config = loadApiConfig();
  // Before the app is built: its HTTP spans and the Temporal client's use the registered provider.
  if (config.otlpEndpoint) startTracing('api');
  const app = await createApp(config);
  await app.listen(config.port, config.host);
  const logger = new Logger('Main');
  if (config.authDisabled) logger.warn('AUTH_DISABLED=true: every route is open to anyone who can reach this port (local development only)');
  logger.log(
    {
      port: config.port,
      host: config.host,
      rateLimit: { ...config.rateLimit, store: config.redis ? 'redis' : 'memory' },
      auth: config.authDisabled ? 'disabled' : `${config.apiKeys.length} key(s)`,
      docs: config.docsEnabled,
      metricsPort: config.metrics.port || null,
      tracing: config.otlpEndpoint,
    },
    'listening',
  );
});
