/**
 * Every error leaves the API as JSON `{ statusCode, error, message, errors? }`.
 * A dependency that is down (Temporal, PostgreSQL, Redis) is a 503 with
 * Retry-After, like every 503. Unexpected errors are logged with their stack
 * and answered with a generic 500: a stack trace never reaches a client.
 */
import { ArgumentsHost, BadRequestException, Catch, ExceptionFilter, HttpException, Logger, PayloadTooLargeException, UnsupportedMediaTypeException } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import { AdmissionRefusedException } from '../admission/admission-refused';
import { RETRY_AFTER_SECONDS, outageError } from './outage';

@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<{ headersSent?: boolean; setHeader(name: string, value: string): void; status(code: number): { json(body: unknown): void } }>();
    const outage = outageError(exception);
    const { status, body } = toHttp(outage ?? exception);
    if (outage) this.logger.warn({ err: exception instanceof Error ? exception.message : String(exception) }, 'a dependency is unavailable');
    else if (status >= 500 && status !== 503 && status !== 504) this.logger.error(exception instanceof Error ? { err: exception } : { err: String(exception) }, 'unexpected error');
    if (response.headersSent) return;
    if (status === 503) response.setHeader('retry-after', String(exception instanceof AdmissionRefusedException ? exception.retryAfterSeconds : RETRY_AFTER_SECONDS));
    response.status(status).json(body);
  }
}

const reasonPhrase = (status: number): string => STATUS_CODES[status] ?? 'Error';

export function toHttp(exception: unknown): { status: number; body: Record<string, unknown> } {
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const raw = exception.getResponse();
    const body: Record<string, unknown> = { statusCode: status, error: reasonPhrase(status) };
    if (typeof raw === 'string') body['message'] = raw;
    else Object.assign(body, raw, { statusCode: status });
    return { status, body };
  }
  // body-parser errors that reach here unmapped carry a status of their own.
  const err = exception as { status?: number; type?: string; message?: string };
  if (typeof err?.status === 'number' && err.status >= 400 && err.status < 500) {
    const message = err.type === 'entity.parse.failed' ? 'body: malformed JSON' : err.type === 'entity.too.large' ? 'body: too large' : (err.message ?? 'bad request');
    return { status: err.status, body: { statusCode: err.status, error: reasonPhrase(err.status), message } };
  }
  return { status: 500, body: { statusCode: 500, error: reasonPhrase(500), message: 'internal error' } };
}

/**
 * Turns the body parser's errors into the API's answers: malformed JSON 400,
 * too large 413, unsupported charset 415. Mounted right after the parser.
 */
export function bodyParserErrors(limit: string) {
  return (err: unknown, _req: unknown, _res: unknown, next: (err?: unknown) => void): void => {
    const type = (err as { type?: string } | null)?.type;
    if (type === 'entity.parse.failed') {
      next(new BadRequestException({ message: 'malformed JSON', errors: [{ field: 'body', reason: 'must be a JSON object' }] }));
    } else if (type === 'entity.too.large') {
      next(new PayloadTooLargeException(`body: larger than ${limit}`));
    } else if (type === 'charset.unsupported' || type === 'encoding.unsupported') {
      next(new UnsupportedMediaTypeException((err as Error).message));
    } else {
      next(err);
    }
  };
}
