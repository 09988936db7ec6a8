import { ApiError } from './api';

describe('ApiError.fromResponse', () => {
  it('says how long the API asked to wait (Retry-After on 503 and 429)', () => {
    const err = ApiError.fromResponse(503, { statusCode: 503, message: 'the database is unavailable' }, '5');
    expect(err.retryAfterSeconds).toBe(5);
    expect(err.message).toBe('the database is unavailable (the API asks to retry in 5 s)');
    expect(ApiError.fromResponse(429, { message: 'too many requests' }, '12').message).toContain('retry in 12 s');
  });

  it('keeps the 504 "outcome unknown" message whole, and ignores a Retry-After that is not seconds', () => {
    const message = 'order o1: no answer from the workflow in time; the change may or may not have been applied. Check GET /orders/o1';
    const err = ApiError.fromResponse(504, { statusCode: 504, message, outcome: 'unknown' }, 'Wed, 21 Oct 2015 07:28:00 GMT');
    expect(err.message).toBe(message);
    expect(err.retryAfterSeconds).toBeNull();
  });
});
