/**
 * Property-based: generated bodies (well-formed, half-formed and hostile)
 * thrown at POST /orders and at the message routes. Whatever comes in, the API
 * answers with a status below 500 and a JSON error body without a stack trace,
 * and rejected input writes nothing: no order row, no event, no workflow.
 */
import fc from 'fast-check';
import { ID_PATTERN } from '@order-fulfillment/contracts';
import { waitFor } from '@order-fulfillment/stack';
import { http, sql, uniqueId, waitForOrder } from './support/helpers';

const tag = `fz${Date.now().toString(36)}`;
const NUM_RUNS = 120;

/** Anything JSON can carry, including hostile keys. */
const anyJson = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
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
async function send(method: string, path: string, body: unknown, raw: boolean) {
  return http(method, path, raw && typeof body === 'string' ? body : JSON.stringify(body) ?? 'null', { 'content-type': 'application/json' });
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
  let orderId: string;
  beforeAll(async () => {
    orderId = uniqueId('fzmsg');
    expect((await http('POST', '/orders', { orderId, paymentId: uniqueId('pmt') })).status).toBe(201);
    await waitForOrder(orderId, (o) => o.state === 'completed', 20_000);
  });

  const routes = fc.constantFrom(['POST', 'cancel'], ['PUT', 'address'], ['POST', 'approve']);
  const messageBody = fc.oneof(
    fc.record({ reason: fc.oneof(fc.string({ maxLength: 600 }), anyJson), by: fc.oneof(fc.string({ maxLength: 120 }), anyJson), extra: anyJson }, { requiredKeys: [] }),
    address,
    anyJson,
  );

  it('never 5xx; a closed order records nothing for refused or invalid messages', async () => {
    const events = async () => (await sql<{ n: number }>('SELECT count(*)::int AS n FROM events WHERE order_id = $1', [orderId]))[0]!.n;
    const before = await events();
    await fc.assert(
      fc.asyncProperty(routes, messageBody, fc.boolean(), async ([method, route], body, raw) => {
        const res = await send(method, `/orders/${orderId}/${route}`, body, raw);
        expectSafe(res);
        expect([400, 409, 413, 415]).toContain(res.status);
      }),
      { numRuns: NUM_RUNS },
    );
    expect(await events()).toBe(before);
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
