/** api: the REST API on PORT (8000). */
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { runMain } from '@order-fulfillment/platform';
import { createApp } from './app';
import { loadApiConfig } from './config/api-config';

runMain('api', async () => {
  const config = loadApiConfig();
  const app = await createApp(config);
  await app.listen(config.port, config.host);
  new Logger('Main').log({ port: config.port, host: config.host, rateLimit: config.rateLimit, apiKey: config.apiKey !== null }, 'listening');
});
