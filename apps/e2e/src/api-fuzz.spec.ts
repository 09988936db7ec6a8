/**
 * Property-based: generated bodies (well-formed, half-formed, deeply nested and
 * hostile) thrown at POST /orders and at the message routes. Whatever comes
 * in, the API answers with a status below 500 and a JSON error body without a
 * stack trace, and rejected input writes nothing: no order row, no event, no
 * workflow. The message routes are fuzzed on an order that is still running
 * (in a long review), where a body that passes validation would be taken: so
 * an invalid body must be a 400, not the 409 any message to a closed order gets.
 */
import fc from 'fast-check';
import { ID_PATTERN } from '@order-fulfillment/contracts';
import { waitFor } from '@order-fulfillment/stack';
import { startApi } from './support/extra-api';
import type { ExtraApi } from './support/extra-api';
import { http, httpAt, sql, uniqueId, waitForOrder } from './support/helpers';

const tag = `fz${Date.now().toString(36)}`;
const NUM_RUNS = 120;

/** JSON nested `depth` levels deep, as arrays or objects. */
const nested = (depth: number) =>
  fc.constantFrom('[', '{"a":').map((open) => JSON.parse(open.repeat(depth) + '1' + (open === '[' ? ']' : '}').repeat(depth)) as unknown);

/** Anything JSON can carry, including hostile keys and nesting far past the API's depth limit. */
const anyJson = fc.oneof(
  fc.jsonValue({ maxDepth: 12 }),
  // (deeper still, 50 000 levels, in api-routes: fast-check's own printing recurses)
  fc.integer({ min: 6, max: 300 }).chain(nested),
  fc.constant({ __proto__: { polluted: true } }),
  fc.constant(JSON.parse('{"__proto__":{"polluted":true}}')),
  fc.constant({ constructor: { prototype: { polluted: true } } }),
  fc.string({ maxLength: 300 }),
  fc.double(),
  fc.constant(null),
);
const validId = fc.stringMatching(/^[A-Za-z0-9._-]{1,40}$/).map((s) => `${tag}-${s}`);
/** Around the 64-character bound, in this run's namespace. */
const boundaryId = fc.stringMatching(/^[A-Za-z0-9._-]{45,60}$/).map((s) => `${tag}-${s}`);
const anyId = fc.oneof(validId, boundaryId, fc.string({ maxLength: 80 }), anyJson);
const item = fc.record(
  {
    sku: fc.oneof(fc.stringMatching(/^[A-Z]{1,8}$/), anyJson, fc.string({ maxLength: 80 })),
    qty: fc.oneof(fc.integer({ min: 1, max: 1000 }), fc.integer(), fc.double(), anyJson),
    unitPrice: fc.oneof(fc.double({ min: 0, max: 1000, noNaN: true }), anyJson),
    colour: fc.string(),
  },
  { requiredKeys: [] },
);
const address = fc.record(
  {
    street: fc.oneof(fc.string({ minLength: 1, maxLength: 30 }), fc.string({ maxLength: 260 }), anyJson),
    city: fc.oneof(fc.string({ minLength: 1, maxLength: 30 }), anyJson),
    postalCode: fc.oneof(fc.string({ maxLength: 30 }), anyJson),
    country: fc.oneof(fc.string({ maxLength: 60 }), anyJson),
    planet: fc.string(),
  },
  { requiredKeys: [] },
);
const faults = fc.oneof(
  fc.record({ errorRate: fc.oneof(fc.double(), anyJson), hangMs: fc.oneof(fc.integer(), anyJson), preset: fc.oneof(fc.constant('chaos'), anyJson) }, { requiredKeys: [] }),
  anyJson,
);
const orderBody = fc.oneof(
  { weight: 6, arbitrary: fc.record({ orderId: anyId, paymentId: anyId, items: fc.oneof(fc.array(item, { maxLength: 4 }), fc.array(item, { minLength: 99, maxLength: 103 }), anyJson), address: fc.oneof(address, anyJson), faults, extra: anyJson }, { requiredKeys: [] }) },
  { weight: 1, arbitrary: anyJson },
);

/** Sends a generated body as JSON, or (for strings) as a raw, maybe malformed, body. */
async function send(method: string, path: string, body: unknown, raw: boolean, base?: string) {
  const payload = raw && typeof body === 'string' ? body : JSON.stringify(body) ?? 'null';
  const headers = { 'content-type': 'application/json' };
  return base ? httpAt(base, method, path, payload, headers) : http(method, path, payload, headers);
}

function expectSafe(res: { status: number; body: any }): void {
  expect(res.status).toBeLessThan(500);
  if (res.status >= 400) {
    expect(res.body).toMatchObject({ statusCode: res.status, message: expect.any(String) });
    expect(JSON.stringify(res.body)).not.toMatch(/\bat .*\.[jt]s:\d+|node_modules/);
  }
}

describe('POST /orders with generated bodies', () => {
  it('never answers 5xx, and writes nothing for what it rejects', async () => {
    const accepted = new Set<string>();
    const rejected = new Set<string>();
    await fc.assert(
      fc.asyncProperty(orderBody, fc.boolean(), async (body, raw) => {
        const res = await send('POST', '/orders', body, raw);
        expectSafe(res);
        const orderId = (body as { orderId?: unknown } | null)?.orderId;
        const ours = typeof orderId === 'string' && orderId.startsWith(tag);
        if (res.status === 201) {
          expect(ours && ID_PATTERN.test(orderId)).toBe(true);
          accepted.add(orderId as string);
        } else if (ours && !accepted.has(orderId)) {
          rejected.add(orderId);
        }
        expect([201, 400, 409, 413, 415]).toContain(res.status);
      }),
      { numRuns: NUM_RUNS },
    );

    // Nothing was written for rejected ids: no order row, no event, no workflow.
    const ids = [...rejected].filter((id) => !accepted.has(id));
    expect(ids.length).toBeGreaterThan(0);
    expect(await sql('SELECT id FROM orders WHERE id = ANY($1)', [ids])).toEqual([]);
    expect(await sql('SELECT order_id FROM events WHERE order_id = ANY($1)', [ids])).toEqual([]);
    for (const id of ids.filter((i) => ID_PATTERN.test(i)).slice(0, 20)) expect((await http('GET', `/orders/${id}`)).status).toBe(404);
    // And every accepted one is a real order.
    await waitFor(
      'accepted orders to have their rows',
      async () => (await sql<{ n: number }>('SELECT count(*)::int AS n FROM orders WHERE id = ANY($1)', [[...accepted]]))[0]!.n === accepted.size,
      { timeoutMs: 20_000, intervalMs: 200 },
    );
  });
});

describe('message routes with generated bodies and ids', () => {
  let slow: ExtraApi;
  let orderId: string;
  beforeAll(async () => {
    // Orders of this API stay in review for 10 minutes: the order is running throughout.
    slow = await startApi('fuzz-review', { ORDER_REVIEW_MS: '600000' });
    orderId = uniqueId('fzmsg');
    expect((await httpAt(slow.url, 'POST', '/orders', { orderId, paymentId: uniqueId('pmt') })).status).toBe(201);
    await waitForOrder(orderId, (o) => o.state === 'in_review', 20_000, slow.url);
  });
  afterAll(async () => {
    if (orderId) await httpAt(slow.url, 'POST', `/orders/${orderId}/cancel`, {});
    await slow?.stop();
  });

  const routes = fc.constantFrom(['POST', 'cancel'], ['PUT', 'address'], ['POST', 'approve']);
  /** Bodies that break at least one rule of every message route: an unknown field, or a field of the wrong kind. */
  const invalidBody = fc.oneof(
    fc.record({ reason: fc.oneof(fc.string({ maxLength: 600 }), anyJson), by: fc.oneof(fc.string({ maxLength: 120 }), anyJson), street: anyJson, extra: anyJson }, { requiredKeys: ['extra'] }),
    fc.record({ street: fc.oneof(fc.string({ maxLength: 30 }), anyJson), city: fc.oneof(fc.string({ maxLength: 30 }), anyJson), planet: fc.string() }, { requiredKeys: ['planet'] }),
    fc.record({ reason: fc.oneof(fc.integer(), fc.boolean(), fc.array(fc.string())), by: fc.oneof(fc.integer(), fc.constant(null), fc.dictionary(fc.string(), fc.string())), street: fc.integer() }, { requiredKeys: ['reason', 'by', 'street'] }),
    fc.string({ maxLength: 100 }).map((s) => ({ street: ` ${s.replace(/\S/g, ' ')} `, city: 'c' })),
    fc.integer({ min: 9, max: 300 }).chain(nested).map((deep) => ({ reason: 'x', by: 'y', street: 's', city: 'c', n: deep })),
    // JSON that is not an object: a string, a number, null.
    fc.oneof(fc.string({ maxLength: 50 }), fc.integer(), fc.constant(null)),
  );

  it('on a running order: every invalid body is a 400 naming a field, never 5xx, and the order records nothing and stays in review', async () => {
    const events = async () => (await sql<{ n: number }>('SELECT count(*)::int AS n FROM events WHERE order_id = $1', [orderId]))[0]!.n;
    const before = await events();
    await fc.assert(
      fc.asyncProperty(routes, invalidBody, async ([method, route], body) => {
        // Always as JSON text: a raw empty body would be read as {}, a valid cancel.
        const res = await send(method, `/orders/${orderId}/${route}`, body, false, slow.url);
        expectSafe(res);
        expect([route, res.status]).toEqual([route, 400]);
        expect(res.body.errors?.length ?? 0).toBeGreaterThan(0);
      }),
      { numRuns: NUM_RUNS },
    );
    expect(await events()).toBe(before);
    const view = await httpAt(slow.url, 'GET', `/orders/${orderId}`);
    expect([view.status, view.body.state, view.body.review.approved]).toEqual([200, 'in_review', false]);
  });

  it('on a running order: a valid body is taken (200), so the 400s above are validation, not refusal', async () => {
    const res = await httpAt(slow.url, 'PUT', `/orders/${orderId}/address`, { street: '1 Fuzz St', city: 'Prop' });
    expect(res.status).toBe(200);
    expect((await httpAt(slow.url, 'GET', `/orders/${orderId}`)).body.address).toEqual({ street: '1 Fuzz St', city: 'Prop' });
  });

  it('never 5xx for generated path ids', async () => {
    await fc.assert(
      fc.asyncProperty(routes, fc.oneof(fc.string({ minLength: 1, maxLength: 100 }), fc.string({ unit: 'binary', minLength: 1, maxLength: 20 })), async ([method, route], id) => {
        const res = await send(method, `/orders/${encodeURIComponent(id)}/${route}`, {}, false);
        expectSafe(res);
        const get = await http('GET', `/orders/${encodeURIComponent(id)}`);
        expectSafe(get);
      }),
      { numRuns: NUM_RUNS },
    );
  });
});
