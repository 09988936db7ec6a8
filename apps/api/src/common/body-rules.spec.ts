import { depthOf, hasBody } from './body-rules';

describe('depthOf', () => {
  it('counts nesting of arrays and objects; scalars are depth 0', () => {
    expect(depthOf('x', 8)).toBe(0);
    expect(depthOf({}, 8)).toBe(1);
    expect(depthOf({ items: [{ sku: 'A' }] }, 8)).toBe(3);
    expect(depthOf({ a: 1, b: { c: [[1]] } }, 8)).toBe(4);
  });

  it('walks a 100 000-deep array without recursion and stops past the limit', () => {
    const deep = JSON.parse('['.repeat(100_000) + ']'.repeat(100_000));
    expect(depthOf(deep, 8)).toBe(9);
  });
});

describe('hasBody', () => {
  it('is true for a non-empty Content-Length or a chunked body', () => {
    expect(hasBody({ method: 'POST', headers: {} })).toBe(false);
    expect(hasBody({ method: 'POST', headers: { 'content-length': '0' } })).toBe(false);
    expect(hasBody({ method: 'POST', headers: { 'content-length': '2' } })).toBe(true);
    expect(hasBody({ method: 'POST', headers: { 'transfer-encoding': 'chunked' } })).toBe(true);
  });
});
