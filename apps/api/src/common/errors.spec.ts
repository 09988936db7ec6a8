import { BadRequestException, ConflictException } from '@nestjs/common';
import { ValidationError } from 'class-validator';
import { toHttp } from './http-exception.filter';
import { flattenErrors } from './validation';

describe('flattenErrors', () => {
  it('names nested fields by path and unknown fields plainly', () => {
    const child = Object.assign(new ValidationError(), { property: 'qty', constraints: { min: 'qty must not be less than 1' }, children: [] });
    const item = Object.assign(new ValidationError(), { property: '0', children: [child] });
    const items = Object.assign(new ValidationError(), { property: 'items', children: [item] });
    const extra = Object.assign(new ValidationError(), { property: 'foo', constraints: { whitelistValidation: 'property foo should not exist' } });
    expect(flattenErrors([items, extra])).toEqual([
      { field: 'items.0.qty', reason: 'qty must not be less than 1' },
      { field: 'foo', reason: 'unknown field' },
    ]);
  });
});

describe('toHttp', () => {
  it('keeps an HttpException status and body', () => {
    expect(toHttp(new ConflictException('order 1 already exists'))).toEqual({
      status: 409,
      body: { statusCode: 409, error: 'Conflict', message: 'order 1 already exists' },
    });
    expect(toHttp(new BadRequestException({ message: 'validation failed', errors: [] })).body).toMatchObject({ statusCode: 400, errors: [] });
  });

  it('maps body-parser errors to 4xx without internals', () => {
    expect(toHttp({ status: 400, type: 'entity.parse.failed', message: 'Unexpected token } in JSON at position 9' })).toEqual({
      status: 400,
      body: { statusCode: 400, error: 'Bad Request', message: 'body: malformed JSON' },
    });
    expect(toHttp({ status: 413, type: 'entity.too.large' }).status).toBe(413);
  });

  it('answers anything else with a bare 500: no message, no stack', () => {
    const { status, body } = toHttp(new Error('connection refused at /srv/app/node_modules/pg/lib/client.js:12'));
    expect(status).toBe(500);
    expect(body).toEqual({ statusCode: 500, error: 'Internal Server Error', message: 'internal error' });
  });
});
