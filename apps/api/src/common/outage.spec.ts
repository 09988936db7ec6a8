import { GatewayTimeoutException, ServiceUnavailableException } from '@nestjs/common';
import { ServiceError, WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';
import { updateFailure } from '../orders/orders.service';
import { toHttp } from './http-exception.filter';
import { outageError, outageOf } from './outage';

const grpc = (code: number, message = 'grpc') => new ServiceError(message, { cause: Object.assign(new Error(message), { code }) });

describe('outageOf', () => {
  it('Temporal unreachable, overloaded or past the deadline', () => {
    expect(outageOf(grpc(14))).toBe('temporal');
    expect(outageOf(grpc(4))).toBe('temporal');
    expect(outageOf(grpc(8))).toBe('temporal');
    expect(outageOf(grpc(3))).toBeNull(); // INVALID_ARGUMENT is a bug, not an outage
  });

  it('PostgreSQL unreachable, gone, or a statement cancelled by statement_timeout', () => {
    expect(outageOf(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }))).toBe('database');
    expect(outageOf(new Error('Connection terminated unexpectedly'))).toBe('database');
    expect(outageOf(new Error('timeout exceeded when trying to connect'))).toBe('database');
    const timeout = Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' });
    expect(outageOf(Object.assign(new Error('QueryFailedError'), { driverError: timeout }))).toBe('database');
    expect(outageOf(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBeNull();
    expect(outageOf(new TypeError('x is undefined'))).toBeNull();
  });

  it('is answered 503, naming the dependency but no host or user', () => {
    const err = outageError(Object.assign(new Error('connect ECONNREFUSED 10.1.2.3:5432 user=orders'), { code: 'ECONNREFUSED' }));
    expect(err).toBeInstanceOf(ServiceUnavailableException);
    const { status, body } = toHttp(err);
    expect(status).toBe(503);
    expect(body['message']).toBe('the database is unavailable; try again in 5 s');
  });
});

describe('updateFailure', () => {
  it('a timed-out or cancelled update call: 504, the change may have been applied, and how to check', () => {
    const err = updateFailure('o1', new WorkflowUpdateRPCTimeoutOrCancelledError('timed out', { cause: new Error('deadline') }));
    expect(err).toBeInstanceOf(GatewayTimeoutException);
    const { status, body } = toHttp(err);
    expect(status).toBe(504);
    expect(body).toMatchObject({ outcome: 'unknown', check: '/orders/o1', message: expect.stringContaining('may or may not have been applied') });
  });

  it('an update Temporal refused before the workflow took it: 503, nothing was changed', () => {
    for (const code of [9, 8]) {
      const { status, body } = toHttp(updateFailure('o1', grpc(code)));
      expect(status).toBe(503);
      expect(body['message']).toContain('nothing was changed');
    }
  });

  it('any other Temporal error after sending: the outcome is unknown, never "nothing was changed"', () => {
    for (const code of [14, 4, 1, 2, 13]) {
      const { status, body } = toHttp(updateFailure('o1', grpc(code)));
      expect(status).toBe(504);
      expect(body['message']).not.toContain('nothing was changed');
    }
  });
});
