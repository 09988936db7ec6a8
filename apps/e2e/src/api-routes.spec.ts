/**
 * Every route of the API, its success and each of its error codes, against
 * the built API on the real Temporal dev server and PostgreSQL.
 *
 * Messages during the manual review (cancel, approve, change address) go
 * through a second API whose orders wait 8 s in review, so they are sent while
 * the order is certainly in review, without racing a short timer.
 */
import { LIMITS } from '@order-fulfillment/contracts';
import { startApi } from './support/extra-api';
import type { ExtraApi } from './support/extra-api';
import { waitFor } from '@order-fulfillment/stack';
import { http, httpAt, sql, uniqueId, waitForOrder } from './support/helpers';

const newOrder = (extra: Record<string, unknown> = {}) => ({ orderId: uniqueId('rt'), paymentId: uniqueId('pmt'), ...extra });

/** An error answer: JSON with statusCode, error and message, and no stack trace. */
function expectError(res: { status: number; body: any }, status: number): void {
  expect(res.status).toBe(status);
  expect(res.body).toMatchObject({ statusCode: status, error: expect.any(String), message: expect.any(String) });
  expect(JSON.stringify(res.body)).not.toMatch(/\bat .*\.[jt]s:\d+|node_modules|Error:/);
}

const fields = (res: { body: any }): string[] => (res.body.errors ?? []).map((e: { field: string }) => e.field);

let completed: string;

beforeAll(async () => {
  const order = newOrder();
  expect((await http('POST', '/orders', order)).status).toBe(201);
  await waitForOrder(order.orderId, (o) => o.state === 'completed', 20_000);
  completed = order.orderId;
});

describe('POST /orders', () => {
  it('201: starts an order with the defaults (one ABC x 1, no address)', async () => {
    const order = newOrder();
    const res = await http('POST', '/orders', order);
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ orderId: order.orderId, workflowId: `order-${order.orderId}`, runId: expect.any(String), state: 'received' });
    const view = await waitForOrder(order.orderId, (o) => o.state === 'completed', 20_000);
    expect(view.items).toEqual([{ sku: 'ABC', qty: 1 }]);
    expect(view.address).toBeNull();
  });

  it('201: accepts every bound at its limit (64-character ids, 100 items, qty 1000, 200-character address fields)', async () => {
    const suffix = Math.random().toString(36).slice(2, 10);
    const orderId = `${'o'.repeat(64 - suffix.length - 1)}.${suffix}`;
    const paymentId = `${'P'.repeat(64 - suffix.length - 1)}_${suffix}`;
    const items = Array.from({ length: LIMITS.maxItems }, (_, i) => ({ sku: `SKU-${i}`, qty: i === 0 ? LIMITS.maxQty : 1 }));
    const address = { street: 's'.repeat(LIMITS.maxAddressField), city: 'c'.repeat(LIMITS.maxAddressField), postalCode: '1'.repeat(20), country: 'C'.repeat(56) };
    expect(orderId).toHaveLength(64);
    const res = await http('POST', '/orders', { orderId, paymentId, items, address });
    expect(res.status).toBe(201);
    const view = await waitForOrder(orderId, (o) => o.state === 'completed', 20_000);
    expect(view.items).toHaveLength(LIMITS.maxItems);
    expect(view.payment.amount).toBe(10 * (LIMITS.maxQty + LIMITS.maxItems - 1));
    expect(view.address).toEqual(address);
  });

  it.each([
    ['orderId missing', { paymentId: 'p1' }, 'orderId'],
    ['orderId of 65 characters', { orderId: 'a'.repeat(65), paymentId: 'p1' }, 'orderId'],
    ['orderId empty', { orderId: '', paymentId: 'p1' }, 'orderId'],
    ['orderId with a space', { orderId: 'a b', paymentId: 'p1' }, 'orderId'],
    ['orderId with a slash', { orderId: 'a/b', paymentId: 'p1' }, 'orderId'],
    ['orderId not a string', { orderId: 42, paymentId: 'p1' }, 'orderId'],
    ['paymentId with unicode', { orderId: 'o1', paymentId: 'pé' }, 'paymentId'],
    ['items empty', { orderId: 'o1', paymentId: 'p1', items: [] }, 'items'],
    ['101 items', { orderId: 'o1', paymentId: 'p1', items: Array.from({ length: 101 }, () => ({ sku: 'A', qty: 1 })) }, 'items'],
    ['qty 0', { orderId: 'o1', paymentId: 'p1', items: [{ sku: 'A', qty: 0 }] }, 'items.0.qty'],
    ['qty 1001', { orderId: 'o1', paymentId: 'p1', items: [{ sku: 'A', qty: 1001 }] }, 'items.0.qty'],
    ['qty 1.5', { orderId: 'o1', paymentId: 'p1', items: [{ sku: 'A', qty: 1.5 }] }, 'items.0.qty'],
    ['qty as a string', { orderId: 'o1', paymentId: 'p1', items: [{ sku: 'A', qty: '1' }] }, 'items.0.qty'],
    ['sku missing', { orderId: 'o1', paymentId: 'p1', items: [{ qty: 1 }] }, 'items.0.sku'],
    ['items not an array', { orderId: 'o1', paymentId: 'p1', items: { sku: 'A', qty: 1 } }, 'items'],
    ['negative unitPrice', { orderId: 'o1', paymentId: 'p1', items: [{ sku: 'A', qty: 1, unitPrice: -1 }] }, 'items.0.unitPrice'],
    ['unitPrice with 3 decimals', { orderId: 'o1', paymentId: 'p1', items: [{ sku: 'A', qty: 1, unitPrice: 1.005 }] }, 'items.0.unitPrice'],
    ['unitPrice 5e-324 (once a 500)', { orderId: 'o1', paymentId: 'p1', items: [{ sku: 'A', qty: 1, unitPrice: 5e-324 }] }, 'items.0.unitPrice'],
    ['street of 201 characters', { orderId: 'o1', paymentId: 'p1', address: { street: 's'.repeat(201), city: 'c' } }, 'address.street'],
    ['city missing', { orderId: 'o1', paymentId: 'p1', address: { street: 's' } }, 'address.city'],
    ['unknown field', { orderId: 'o1', paymentId: 'p1', coupon: 'FREE' }, 'coupon'],
    ['unknown nested field', { orderId: 'o1', paymentId: 'p1', items: [{ sku: 'A', qty: 1, colour: 'red' }] }, 'items.0.colour'],
    ['bad fault plan', { orderId: 'o1', paymentId: 'p1', faults: { errorRate: 2 } }, 'faults.errorRate'],
    ['unknown retry mode', { orderId: 'o1', paymentId: 'p1', retryMode: 'fast' }, 'retryMode'],
    ['retry mode not a string', { orderId: 'o1', paymentId: 'p1', retryMode: 1 }, 'retryMode'],
    // The workflow's own rules (orderProblems), applied by the API before anything starts:
    ['sku of spaces only (once 201, then failed in the workflow)', { orderId: 'o1', paymentId: 'p1', items: [{ sku: '   ', qty: 1 }] }, 'items.0.sku'],
    ['street of spaces only (once 201, then failed in the workflow)', { orderId: 'o1', paymentId: 'p1', address: { street: ' \t ', city: 'c' } }, 'address.street'],
    ['a total over 10 000 000 (once 201, then a charge that overflows numeric(12,2))', { orderId: 'o1', paymentId: 'p1', items: Array.from({ length: 100 }, (_, i) => ({ sku: `S${i}`, qty: 1000, unitPrice: 1_000_000 })) }, 'items'],
    ['a total one cent over the cap', { orderId: 'o1', paymentId: 'p1', items: [{ sku: 'A', qty: 10, unitPrice: 1_000_000 }, { sku: 'B', qty: 1, unitPrice: 0.01 }] }, 'items'],
    ['JSON nested deeper than 8 levels', { orderId: 'o1', paymentId: 'p1', items: [{ sku: 'A', qty: 1, x: [[[[[[[[1]]]]]]]] }] }, 'body'],
  ])('400: %s, naming the field', async (_what, body, field) => {
    const res = await http('POST', '/orders', body);
    expectError(res, 400);
    expect(res.body.message).toBe('validation failed');
    expect(fields(res)).toContain(field);
    for (const e of res.body.errors) expect(e.reason).toEqual(expect.any(String));
  });

  it('400: malformed JSON, and JSON that is not an object', async () => {
    for (const raw of ['{"orderId":', '{orderId: 1}', '"order"', 'null', '']) {
      const res = await http('POST', '/orders', raw, { 'content-type': 'application/json' });
      expectError(res, 400);
    }
    expectError(await http('POST', '/orders', '[]', { 'content-type': 'application/json' }), 400);
  });

  it('415: a body that is not sent as JSON (any other content type, or none), on every route that takes one', async () => {
    const form = await http('POST', '/orders', 'orderId=a&paymentId=b', { 'content-type': 'application/x-www-form-urlencoded' });
    expectError(form, 415);
    expect(form.body.message).toContain('application/json');
    expectError(await http('POST', '/orders', '{"orderId":"a","paymentId":"b"}', { 'content-type': 'text/plain' }), 415);
    for (const [method, route] of [['POST', 'cancel'], ['PUT', 'address'], ['POST', 'approve']] as const) {
      expectError(await http(method, `/orders/${completed}/${route}`, 'reason=x', { 'content-type': 'application/x-www-form-urlencoded' }), 415);
    }
    // A request without a body is read as {} (cancel and approve take no required field).
    const bare = await fetch(`${process.env['E2E_API_URL']}/orders/${completed}/approve`, { method: 'POST' });
    expect(bare.status).toBe(409);
    // application/*+json is JSON.
    expectError(await http('POST', '/orders', '{"orderId":"a b","paymentId":"b"}', { 'content-type': 'application/merge-patch+json' }), 400);
  });

  it('400: a 100 kB body of nested arrays is refused before validation walks it', async () => {
    const deep = '['.repeat(50_000) + ']'.repeat(50_000);
    for (const body of [deep, `{"orderId":"o1","paymentId":"p1","items":${deep}}`]) {
      const res = await http('POST', '/orders', body, { 'content-type': 'application/json' });
      expectError(res, 400);
      expect(res.body.errors).toEqual([{ field: 'body', reason: 'nested deeper than 8 levels' }]);
    }
    expectError(await http('PUT', `/orders/${completed}/address`, `{"street":${deep}}`, { 'content-type': 'application/json' }), 400);
  });

  it('413: a body over the limit (100 kB by default)', async () => {
    const res = await http('POST', '/orders', { orderId: 'big', paymentId: 'big', pad: 'x'.repeat(200_000) });
    expectError(res, 413);
  });

  it('415: a charset the parser does not read', async () => {
    expectError(await http('POST', '/orders', '{}', { 'content-type': 'application/json; charset=latin9' }), 415);
  });

  it('409: an orderId that exists, running or closed, with a different body; the first order is untouched', async () => {
    const res = await http('POST', '/orders', { orderId: completed, paymentId: uniqueId('pmt') });
    expectError(res, 409);
    expect(res.body.message).toContain(completed);
    expect(res.body.message).toContain('different request');
    expect(await sql('SELECT count(*)::int AS n FROM payments WHERE order_id = $1', [completed])).toEqual([{ n: 1 }]);
  });

  it('200: the same request again (a retry after a lost answer) returns the order it started, running or closed', async () => {
    const order = newOrder({ items: [{ sku: 'A', qty: 2, unitPrice: 3.5 }], address: { street: '1 Main St', city: 'Springfield' } });
    const first = await http('POST', '/orders', order);
    expect(first.status).toBe(201);
    // Keys in another order are the same request.
    const reordered = { address: { city: 'Springfield', street: '1 Main St' }, items: [{ unitPrice: 3.5, qty: 2, sku: 'A' }], paymentId: order.paymentId, orderId: order.orderId };
    const again = await http('POST', '/orders', reordered);
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ ...first.body, state: expect.any(String) });
    await waitForOrder(order.orderId, (o) => o.state === 'completed', 20_000);
    const closed = await http('POST', '/orders', order);
    expect(closed.status).toBe(200);
    expect(closed.body).toEqual({ ...first.body, state: 'completed' });
    for (const changed of [{ ...order, paymentId: uniqueId('pmt') }, { ...order, items: [{ sku: 'A', qty: 3, unitPrice: 3.5 }] }, { ...order, address: undefined }]) {
      expectError(await http('POST', '/orders', changed), 409);
    }
    expect(await sql('SELECT count(*)::int AS n FROM payments WHERE order_id = $1', [order.orderId])).toEqual([{ n: 1 }]);
  });

  it('201: the default retry mode is deadline; an order may carry its own (fault injection allowed), shown in its view', async () => {
    const byDefault = newOrder();
    const seed = newOrder({ retryMode: 'seed' });
    expect((await http('POST', '/orders', byDefault)).status).toBe(201);
    expect((await http('POST', '/orders', seed)).status).toBe(201);
    const defaultView = await waitForOrder(byDefault.orderId, (o) => o.state === 'completed', 20_000);
    const seedView = await waitForOrder(seed.orderId, (o) => o.state === 'completed', 20_000);
    expect(defaultView.retryMode).toBe('deadline');
    expect(seedView.retryMode).toBe('seed');
    // Naming another mode for the same order is another request; naming none is the same one.
    expectError(await http('POST', '/orders', { ...seed, retryMode: 'deadline' }), 409);
    expect((await http('POST', '/orders', { ...seed, retryMode: undefined })).status).toBe(200);
    expect((await http('POST', '/orders', seed)).status).toBe(200);
  });

  it('400: retryMode and faults are refused, naming the field, by an API without fault injection', async () => {
    const strict = await startApi('no-fault-injection', { ALLOW_FAULT_INJECTION: 'false' });
    try {
      const reason = 'fault injection is disabled on this API (ALLOW_FAULT_INJECTION=true enables it)';
      for (const [extra, field] of [[{ retryMode: 'seed' }, 'retryMode'], [{ faults: { preset: 'exercise' } }, 'faults']] as const) {
        const order = newOrder(extra);
        const res = await httpAt(strict.url, 'POST', '/orders', order);
        expectError(res, 400);
        expect(res.body.errors).toEqual([{ field, reason }]);
        expect(await sql('SELECT count(*)::int AS n FROM orders WHERE id = $1', [order.orderId])).toEqual([{ n: 0 }]);
      }
      const both = await httpAt(strict.url, 'POST', '/orders', newOrder({ retryMode: 'deadline', faults: { preset: 'exercise' } }));
      expect(fields(both).sort()).toEqual(['faults', 'retryMode']);
      // Without either field the same API starts orders as usual.
      expect((await httpAt(strict.url, 'POST', '/orders', newOrder())).status).toBe(201);
    } finally {
      await strict.stop();
    }
  });

  it('concurrent duplicates: one 201, the rest 200 (same body) or 409 (another body), one workflow, one charge', async () => {
    const order = newOrder();
    const other = { ...order, paymentId: uniqueId('pmt') };
    const bodies = Array.from({ length: 10 }, (_, i) => (i % 3 === 2 ? other : order));
    const answers = await Promise.all(bodies.map((body) => http('POST', '/orders', body)));
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.every((s) => [200, 201, 409].includes(s))).toBe(true);
    const winner = bodies[statuses.indexOf(201)]!;
    const expected = answers.map((a, i) => (bodies[i] === winner ? (a.status === 201 ? 201 : 200) : 409));
    expect(statuses).toEqual(expected);
    const runIds = new Set(answers.filter((a) => a.status < 300).map((a) => a.body.runId));
    expect(runIds.size).toBe(1);
    const view = await waitForOrder(order.orderId, (o) => o.state === 'completed', 20_000);
    expect(view.payment.paymentId).toBe(winner.paymentId);
    const describe = await http('GET', `/orders/${order.orderId}/describe`);
    expect(describe.body.runId).toBe([...runIds][0]);
    expect(await sql('SELECT count(*)::int AS n FROM payments WHERE order_id = $1', [order.orderId])).toEqual([{ n: 1 }]);
  });
});

describe('GET /orders/:id', () => {
  it('200: the same shape live from the workflow and, once closed, from the database', async () => {
    const order = newOrder();
    await http('POST', '/orders', order);
    const live = await waitForOrder(order.orderId, (o) => o.source === 'workflow' && o.state !== 'completed');
    const closed = await waitForOrder(order.orderId, (o) => o.state === 'completed', 20_000);
    expect(closed.source).toBe('database');
    expect(Object.keys(closed).sort()).toEqual(Object.keys(live).sort());
    expect(closed).toMatchObject({ orderId: order.orderId, workflowId: `order-${order.orderId}`, payment: { paymentId: order.paymentId, status: 'charged' } });
    expect(closed.timeline.length).toBeGreaterThanOrEqual(5);
  });

  it('400: an id that is not an order id', async () => {
    expectError(await http('GET', `/orders/${'a'.repeat(65)}`), 400);
    expectError(await http('GET', `/orders/${encodeURIComponent('a b')}`), 400);
    expectError(await http('GET', '/orders/%E0%A4%A'), 400);
  });

  it('404: an unknown order', async () => {
    expectError(await http('GET', `/orders/${uniqueId('nope')}`), 404);
  });
});

describe('messages during the review (an API whose orders wait 8 s in review)', () => {
  let slow: ExtraApi;
  beforeAll(async () => {
    slow = await startApi('slow-review', { ORDER_REVIEW_MS: '8000' });
  });
  afterAll(async () => {
    await slow?.stop();
  });
  const inReview = async (): Promise<string> => {
    const order = newOrder();
    expect((await httpAt(slow.url, 'POST', '/orders', order)).status).toBe(201);
    await waitForOrder(order.orderId, (o) => o.state === 'in_review', 10_000, slow.url);
    return order.orderId;
  };

  it('POST /orders/:id/cancel 200, then the order is cancelled and nothing charged; 409 afterwards', async () => {
    const orderId = await inReview();
    const res = await httpAt(slow.url, 'POST', `/orders/${orderId}/cancel`, { reason: 'changed my mind' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ accepted: true, state: 'in_review' });
    const view = await waitForOrder(orderId, (o) => o.state === 'cancelled', 10_000, slow.url);
    expect(view.reason).toContain('changed my mind');
    // Nothing was charged; the payment is voided, so no charge can land later (ADR 009).
    expect(await sql('SELECT status FROM payments WHERE order_id = $1', [orderId])).toEqual([{ status: 'voided' }]);
    expect(await sql(`SELECT operation FROM sandbox.gateway_operations WHERE order_id = $1`, [orderId])).toEqual([{ operation: 'void' }]);
    const again = await httpAt(slow.url, 'POST', `/orders/${orderId}/cancel`, {});
    expectError(again, 409);
  });

  it('PUT /orders/:id/address 200: persisted and shown', async () => {
    const orderId = await inReview();
    const address = { street: '456 New St', city: 'New City', postalCode: '12345', country: 'US' };
    const res = await httpAt(slow.url, 'PUT', `/orders/${orderId}/address`, address);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ accepted: true, state: 'in_review' });
    expect((await httpAt(slow.url, 'GET', `/orders/${orderId}`)).body.address).toEqual(address);
    const rows = await sql('SELECT address FROM orders WHERE id = $1', [orderId]);
    expect(rows).toEqual([{ address }]);
    await httpAt(slow.url, 'POST', `/orders/${orderId}/cancel`, {});
  });

  it('POST /orders/:id/approve 200 ends the review early; a second approval is 409 "not in review"', async () => {
    const orderId = await inReview();
    const started = Date.now();
    const res = await httpAt(slow.url, 'POST', `/orders/${orderId}/approve`, { by: 'reviewer-7' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ accepted: true, state: 'in_review' });
    const again = await httpAt(slow.url, 'POST', `/orders/${orderId}/approve`, {});
    expectError(again, 409);
    expect(again.body.message).toMatch(/not in review|already finished/);
    const view = await waitForOrder(orderId, (o) => o.state === 'completed', 15_000, slow.url);
    expect(Date.now() - started).toBeLessThan(8_000);
    expect(view.review).toEqual({ approved: true, by: 'reviewer-7' });
  });
});

describe.each([
  ['POST', 'cancel', { reason: 'x' }, { reason: 'r'.repeat(501) }],
  ['PUT', 'address', { street: '1 Main St', city: 'Springfield' }, { street: '   ', city: 'Springfield' }],
  ['POST', 'approve', { by: 'me' }, { by: 7 }],
])('%s /orders/:id/%s errors', (method, route, good, bad) => {
  it('409: refused once the order is closed, with the reason', async () => {
    const res = await http(method, `/orders/${completed}/${route}`, good);
    expectError(res, 409);
    expect(res.body.message).toMatch(/completed|finished|dispatched/);
  });
  it('404: an unknown order', async () => {
    expectError(await http(method, `/orders/${uniqueId('nope')}/${route}`, good), 404);
  });
  it('400: a bad body, an unknown field, or a bad id; nothing recorded', async () => {
    const before = await sql('SELECT count(*)::int AS n FROM events WHERE order_id = $1', [completed]);
    const res = await http(method, `/orders/${completed}/${route}`, bad);
    expectError(res, 400);
    expect(res.body.errors.length).toBeGreaterThan(0);
    expect(fields(await http(method, `/orders/${completed}/${route}`, { ...good, extra: 1 }))).toContain('extra');
    expectError(await http(method, `/orders/${'x'.repeat(65)}/${route}`, good), 400);
    expect(await sql('SELECT count(*)::int AS n FROM events WHERE order_id = $1', [completed])).toEqual(before);
  });
});

describe('GET /orders/:id/events and /describe', () => {
  it('events 200: the audit trail, oldest first', async () => {
    const res = await http('GET', `/orders/${completed}/events`);
    expect(res.status).toBe(200);
    const states = res.body.filter((e: { type: string }) => e.type === 'transition').map((e: { payload: { state: string } }) => e.payload.state);
    expect(states).toEqual(['received', 'validated', 'in_review', 'paid', 'shipping', 'completed']);
    const ids = res.body.map((e: { id: number }) => e.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
  });

  it('describe 200: the Temporal execution', async () => {
    const res = await http('GET', `/orders/${completed}/describe`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ workflowId: `order-${completed}`, type: 'OrderWorkflow', status: 'COMPLETED', taskQueue: 'orders-tq', pendingActivities: [], pendingChildren: [] });
    expect(res.body.historyLength).toBeGreaterThan(10);
  });

  it.each(['events', 'describe'])('%s: 404 for an unknown order, 400 for a bad id', async (route) => {
    expectError(await http('GET', `/orders/${uniqueId('nope')}/${route}`), 404);
    expectError(await http('GET', `/orders/bad%20id/${route}`), 400);
  });
});

describe('GET /orders', () => {
  it('200: filters by state and pages with a cursor, newest first, without repeats', async () => {
    // Let orders started by earlier tests settle, so the listing is stable while it is paged.
    await waitFor('no running orders', async () => (await sql(`SELECT 1 FROM orders WHERE state NOT IN ('completed', 'cancelled', 'failed')`)).length === 0, { timeoutMs: 30_000, intervalMs: 200 });
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 50; page++) {
      const res: { status: number; body: { orders: Array<{ orderId: string; state: string }>; nextCursor: string | null } } = await http(
        'GET',
        `/orders?state=completed&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(res.status).toBe(200);
      expect(res.body.orders.length).toBeLessThanOrEqual(2);
      for (const o of res.body.orders) {
        expect(o.state).toBe('completed');
        seen.push(o.orderId);
      }
      cursor = res.body.nextCursor;
      if (!cursor) break;
    }
    expect(new Set(seen).size).toBe(seen.length);
    const rows = await sql<{ id: string }>(`SELECT id FROM orders WHERE state = 'completed' ORDER BY created_at DESC, id DESC`);
    expect(seen).toEqual(rows.map((r) => r.id));
  });

  it.each([
    ['state=shipped', 'state=shipped', 'state'],
    ['limit=0', 'limit=0', 'limit'],
    ['limit=101', 'limit=101', 'limit'],
    ['limit=ten', 'limit=ten', 'limit'],
    ['a cursor this API did not return', 'cursor=not-a-cursor!', 'cursor'],
    ['a cursor of 201 characters', 'cursor=' + 'A'.repeat(201), 'cursor'],
    ['an unknown parameter', 'page=2', 'page'],
  ])('400: %s', async (_what, query, field) => {
    const res = await http('GET', `/orders?${query}`);
    expectError(res, 400);
    expect(fields(res)).toContain(field);
  });
});

describe('health, metrics, docs, and what is not there', () => {
  it('GET /health/live and /health/ready: 200 with the database and Temporal up', async () => {
    expect((await http('GET', '/health/live')).body).toMatchObject({ status: 'ok' });
    const ready = await http('GET', '/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ status: 'ok', info: { database: { status: 'up' }, temporal: { status: 'up' } } });
  });

  it('GET /metrics on the metrics port, not the API port: Prometheus text with requests by route template and orders by state (from the database)', async () => {
    await http('GET', `/orders/${completed}`);
    expectError(await http('GET', '/metrics'), 404);
    const metricsUrl = process.env['E2E_METRICS_URL'] as string;
    const res = await fetch(metricsUrl);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toMatch(/^http_requests_total\{method="GET",route="\/orders\/:id",status="200"\} \d+$/m);
    expect(text).toMatch(/^http_request_duration_seconds_bucket\{le="0.5",method="GET",route="\/orders\/:id",status="200"\} \d+$/m);
    expect(text).toMatch(/^orders_started_total [1-9]\d*$/m);
    expect(text).toMatch(/^orders_scrape_success 1$/m);
    // The money-and-goods gauges, from the same count as the database holds them.
    const [flags] = await sql<{ late: number; owed: number }>(`SELECT count(*) FILTER (WHERE late)::int AS late, count(*) FILTER (WHERE refund_owed)::int AS owed FROM orders`);
    expect(text).toMatch(new RegExp(`^orders_late ${flags!.late}$`, 'm'));
    expect(text).toMatch(new RegExp(`^orders_refund_owed ${flags!.owed}$`, 'm'));
    const completedNow = async () => (await sql<{ n: number }>(`SELECT count(*)::int AS n FROM orders WHERE state = 'completed'`))[0]!.n;
    const before = await completedNow();
    // The suite's API caches nothing (METRICS_CACHE_MS=0); the cache is tested in api-safety.
    const scraped = Number(/^orders\{state="completed"\} (\d+)$/m.exec(await (await fetch(metricsUrl)).text())?.[1]);
    const after = await completedNow();
    expect(scraped).toBeGreaterThanOrEqual(before);
    expect(scraped).toBeLessThanOrEqual(after);
    expect(text).toMatch(/^orders\{state="failed"\} \d+$/m);
    expect(text).not.toMatch(/route="\/orders\/rt-/);
  });

  it('GET /docs and /docs-json: the OpenAPI UI and document', async () => {
    const ui = await fetch(`${process.env['E2E_API_URL']}/docs`);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain('swagger-ui');
    const doc = await http('GET', '/docs-json');
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toMatch(/^3\./);
  });

  it('404 JSON for a route that does not exist; the request id is echoed', async () => {
    const res = await http('GET', '/nothing/here', undefined, { 'x-request-id': 'e2e-404-check' });
    expectError(res, 404);
    expect(res.headers.get('x-request-id')).toBe('e2e-404-check');
    expectError(await http('DELETE', `/orders/${completed}`), 404);
  });
});
