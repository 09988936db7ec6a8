/**
 * Builds the Nest application with everything that makes it safe to expose:
 * request logging and metrics, security headers, JSON-only bodies with size and
 * depth limits, validation, error mapping, API key, rate limit, CORS, OpenAPI
 * docs (unless DOCS_ENABLED=false) and shutdown hooks. Metrics are served on
 * their own port by MetricsService, not here. Shared by main.ts and the
 * tests, so tests exercise the real configuration.
 */
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { limitBodyDepth, requireJsonBodies } from './common/body-rules';
import { HttpExceptionFilter, bodyParserErrors } from './common/http-exception.filter';
import { REQUEST_ID_HEADER, createApiLogger, createHttpLogger } from './common/logging';
import { createValidationPipe } from './common/validation';
import type { ApiConfig } from './config/api-config';
import { MetricsService } from './metrics/metrics.service';
import { httpTracing } from './common/http-tracing';

export async function createApp(config: ApiConfig): Promise<NestExpressApplication> {
  const logger = createApiLogger(config.logLevel);
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, logger), {
    bodyParser: false,
    bufferLogs: true,
    // A module that cannot start (a database refusing DATABASE_URL) rejects here, so runMain prints it as one line.
    abortOnError: false,
  });
  app.useLogger(app.get(Logger));
  // A hop count or the proxies' addresses, never `true` (see loadApiConfig).
  if (config.trustProxy !== null) app.set('trust proxy', config.trustProxy);
  // First, so every request's work runs inside its span (only when tracing is on).
  if (config.otlpEndpoint) app.use(httpTracing());
  // Before the body parser, so refused bodies (400, 413, 415) are timed, counted and logged too.
  app.use(app.get(MetricsService).httpMiddleware());
  app.use(createHttpLogger(logger));
  // Swagger UI loads its own scripts and styles from /docs; nothing else is served as HTML.
  app.use(helmet({ contentSecurityPolicy: { directives: { 'img-src': ["'self'", 'data:'], 'upgrade-insecure-requests': null } } }));
  app.use(requireJsonBodies());
  app.useBodyParser('json', { limit: config.bodyLimit, type: ['application/json', 'application/*+json'] });
  app.use(bodyParserErrors(config.bodyLimit));
  app.use(limitBodyDepth(config.maxBodyDepth));
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new HttpExceptionFilter());
  app.enableCors({
    origin: config.corsOrigins.includes('*') ? '*' : config.corsOrigins.length ? config.corsOrigins : false,
    allowedHeaders: ['authorization', 'content-type', REQUEST_ID_HEADER],
    exposedHeaders: [REQUEST_ID_HEADER, 'retry-after'],
    maxAge: 600,
  });
  app.disable('x-powered-by');
  // process.exit(0) once closed (not a re-raised signal), so pino flushes its last lines.
  app.enableShutdownHooks(undefined, { useProcessExit: true });

  if (!config.docsEnabled) return app;
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Order fulfillment')
      .setDescription(
        'Orders run as Temporal workflows: start, follow, cancel, re-address and approve them. ' +
          'Send `Authorization: Bearer <key>` with one of the API\'s keys (API_KEY / API_KEYS; Authorize button). ' +
            'Health and these docs stay open; metrics are on their own port.',
      )
      .setVersion('0.1.0')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  return app;
}
