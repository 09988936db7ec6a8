/**
 * Structured JSON logs: one pino logger for the process, and pino-http in
 * front of everything (before the body parser, so even a malformed or
 * oversized body is logged with its request id).
 *
 * Every request gets an id: the caller's `x-request-id` when it is a sane
 * token, else a new UUID. It is echoed in the `x-request-id` response header
 * and bound as `reqId` to every line logged while handling the request; the
 * order id is bound as `orderId` by {@link OrderLogInterceptor}.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createLogger } from '@order-fulfillment/platform';
import type { Logger } from '@order-fulfillment/platform';
import { pinoHttp } from 'pino-http';
import type { HttpLogger } from 'pino-http';

export const REQUEST_ID_HEADER = 'x-request-id';
const SANE_REQUEST_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

/** The caller's request id when it is safe to log and echo, else a new one. */
export function requestId(incoming: string | string[] | undefined): string {
  const value = Array.isArray(incoming) ? incoming[0] : incoming;
  return value && SANE_REQUEST_ID.test(value) ? value : randomUUID();
}

export function createApiLogger(level: string): Logger {
  return createLogger('api', { LOG_LEVEL: level });
}

export function createHttpLogger(logger: Logger): HttpLogger {
  return pinoHttp({
    logger,
    quietReqLogger: true,
    genReqId: (req: IncomingMessage, res: ServerResponse) => {
      const id = requestId(req.headers[REQUEST_ID_HEADER]);
      res.setHeader(REQUEST_ID_HEADER, id);
      return id;
    },
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
    customSuccessMessage: (req, res) => `${req.method} ${req.url} ${res.statusCode}`,
    customErrorMessage: (req, res) => `${req.method} ${req.url} ${res.statusCode}`,
    // Only what helps to follow a request: never headers (Authorization) or bodies.
    serializers: {
      req: (req: { id: unknown; method: string; url: string; remoteAddress?: string }) => ({ id: req.id, method: req.method, url: req.url, remoteAddress: req.remoteAddress }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  });
}
