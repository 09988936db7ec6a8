/** api: the REST API on PORT (8000). */
import 'reflect-metadata';
import { runMain } from '@order-fulfillment/platform';
import { createApp } from './app';
import { loadApiConfig } from './config/api-config';

runMain('api', async () => {
  const config = loadApiConfig();
  const app = await createApp(config);
  await app.listen(config.port, config.host);
  process.stdout.write(`${JSON.stringify({ level: 'info', service: 'api', msg: 'listening', port: config.port })}\n`);
});
