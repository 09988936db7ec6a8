/**
 * Every verb against the real stack through the built binary: what it prints,
 * what --json gives a script, and the exit codes 0, 3 (not found) and 4
 * (conflict) where the API answers 404 and 409.
 */
import { ANSI, STACK_TRACE, json, order, uniqueId, waitForOrder } from './support/cli';

describe('order start-workflow and status', () => {
  it('starts an order, then shows it; a second start of the same id is a conflict (4)', async () => {
    const orderId = uniqueId('cli-start');
    const paymentId = uniqueId('pmt');
    const started = await order(['start-workflow', orderId, paymentId]);
    expect(started.code).toBe(0);
    expect(started.stdout).toContain(`started order ${orderId} (workflow order-${orderId}`);
    expect(started.stdout).not.toMatch(ANSI); // not a terminal: no colour

    const again = await order(['start-workflow', orderId, uniqueId('pmt')]);
    expect(again.code).toBe(4);
    expect(again.stderr).toContain(`order ${orderId} already exists`);

    const status = await order(['status', orderId]);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(new RegExp(`^${orderId} {2}(received|validated|in_review)`));
    expect(status.stdout).toContain(`payment   ${paymentId} · pending · 10.00`);
    expect(status.stdout).toContain('items     ABC × 1');

    await waitForOrder(orderId, (o) => o.state === 'completed');
    const done = json(await order(['status', orderId, '--json']));
    expect(done).toMatchObject({ orderId, state: 'completed', payment: { paymentId, status: 'charged', amount: 10 }, source: 'database' });
  });

  it('takes items and an address, and prints JSON for scripts', async () => {
    const orderId = uniqueId('cli-items');
    const r = await order([
      'start-workflow', orderId, uniqueId('pmt'),
      '--item', 'ABC:2', '--item', 'XYZ:1:5.5',
      '--street', '1 Main St', '--city', 'Springfield', '--postal-code', '12345', '--country', 'US',
      '--json',
    ]);
    expect(r.code).toBe(0);
    expect(json(r)).toMatchObject({ orderId, workflowId: `order-${orderId}`, state: 'received' });
    const view = json(await order(['status', orderId, '--json']));
    expect(view.items).toEqual([{ sku: 'ABC', qty: 2 }, { sku: 'XYZ', qty: 1, unitPrice: 5.5 }]);
    expect(view.address).toEqual({ street: '1 Main St', city: 'Springfield', postalCode: '12345', country: 'US' });
    expect(view.payment.amount).toBe(25.5);
  });

  it('exits 3 for an unknown order, with the API message', async () => {
    const missing = uniqueId('missing');
    for (const args of [['status', missing], ['events', missing], ['describe', missing], ['cancel', missing], ['approve', missing], ['watch', missing]]) {
      const r = await order(args);
      expect({ args, code: r.code }).toEqual({ args, code: 3 });
      expect(r.stderr).toContain(`order ${missing} not found`);
      expect(r.stderr).not.toMatch(STACK_TRACE);
    }
    const asJson = await order(['status', missing, '--json']);
    expect(asJson.code).toBe(3);
    expect(JSON.parse(asJson.stderr)).toEqual({ error: { message: `order ${missing} not found`, status: 404, exitCode: 3 } });
    expect(asJson.stdout).toBe('');
  });
});

describe('order cancel, update-address and approve', () => {
  it('cancels an order in review (0), then refuses a second cancel (4)', async () => {
    const orderId = uniqueId('cli-cancel');
    await order(['start-workflow', orderId, uniqueId('pmt')]);
    await waitForOrder(orderId, (o) => o.state === 'in_review');
    const r = await order(['cancel', orderId, '--reason', 'changed my mind']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`cancel accepted for order ${orderId} (it was in_review)`);
    const end = await waitForOrder(orderId, (o) => o.state === 'cancelled');
    expect(end.reason).toBe('changed my mind');
    expect(end.payment.status).toBe('voided'); // never charged, and now no charge can land (ADR 009)

    const again = await order(['cancel', orderId]);
    expect(again.code).toBe(4);
    expect(again.stderr).toMatch(/already (cancelled|finished)/);
  });

  it('changes the address in review and the dispatch uses it; after the end a change is refused (4)', async () => {
    const orderId = uniqueId('cli-address');
    await order(['start-workflow', orderId, uniqueId('pmt'), '--street', '1 Old Rd', '--city', 'Oldtown']);
    await waitForOrder(orderId, (o) => o.state === 'in_review');
    const r = await order(['update-address', orderId, '--street', '456 New St', '--city', 'New City', '--postal-code', '12345', '--json']);
    expect(r.code).toBe(0);
    expect(json(r)).toMatchObject({ orderId, accepted: true, address: { street: '456 New St', city: 'New City', postalCode: '12345' } });

    const approved = await order(['approve', orderId, '--by', 'reviewer-7']);
    expect(approved.code).toBe(0);
    expect(approved.stdout).toContain(`approved order ${orderId}`);

    await waitForOrder(orderId, (o) => o.state === 'completed');
    const events = json<Array<{ type: string; payload: any }>>(await order(['events', orderId, '--json']));
    const dispatched = events.find((e) => e.type === 'carrier_dispatched');
    expect(dispatched?.payload.address).toEqual({ street: '456 New St', city: 'New City', postalCode: '12345' });

    const human = await order(['events', orderId]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/carrier_dispatched +trk-shipping-.* → 456 New St, New City, 12345/);
    expect(human.stdout).toMatch(/review_approved/);

    const late = await order(['update-address', orderId, '--street', '9 Late Ln', '--city', 'Nowhere']);
    expect(late.code).toBe(4);
    expect(late.stderr).toMatch(/already (completed|finished)/);
    const lateApprove = await order(['approve', orderId]);
    expect(lateApprove.code).toBe(4);
  });

  it('exits 2 when the API refuses an address as invalid', async () => {
    const orderId = uniqueId('cli-bad-address');
    await order(['start-workflow', orderId, uniqueId('pmt')]);
    const r = await order(['update-address', orderId, '--street', '', '--city', 'X']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/street/);
  });
});

describe('order describe, events and list', () => {
  let orderId: string;
  beforeAll(async () => {
    orderId = uniqueId('cli-read');
    await order(['start-workflow', orderId, uniqueId('pmt')]);
    await waitForOrder(orderId, (o) => o.state === 'completed');
  });

  it("describes the order's Temporal execution", async () => {
    const r = await order(['describe', orderId]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`order-${orderId}  COMPLETED`);
    expect(r.stdout).toContain('OrderWorkflow on orders-tq');
    const d = json(await order(['describe', orderId, '--json']));
    expect(d).toMatchObject({ workflowId: `order-${orderId}`, type: 'OrderWorkflow', status: 'COMPLETED' });
    expect(d.historyLength).toBeGreaterThan(10);
  });

  it('prints the audit trail', async () => {
    const r = await order(['events', orderId]);
    expect(r.code).toBe(0);
    for (const text of ['received (ReceiveOrder)', 'payment_charged', 'carrier_dispatched', 'completed']) expect(r.stdout).toContain(text);
    const list = json<Array<{ type: string }>>(await order(['events', orderId, '--json']));
    expect(list.filter((e) => e.type === 'payment_charged')).toHaveLength(1);
  });

  it('lists orders by state, one page at a time', async () => {
    const all = await order(['list']);
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(/^order +state +payment +items +updated/);
    expect(all.stdout).toContain(orderId);

    const completed = json(await order(['list', '--state', 'completed', '--limit', '100', '--json']));
    expect(completed.orders.every((o: { state: string }) => o.state === 'completed')).toBe(true);
    expect(completed.orders.map((o: { orderId: string }) => o.orderId)).toContain(orderId);

    const first = json(await order(['list', '--limit', '1', '--json']));
    expect(first.orders).toHaveLength(1);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = json(await order(['list', '--limit', '1', '--cursor', first.nextCursor, '--json']));
    expect(second.orders).toHaveLength(1);
    expect(second.orders[0].orderId).not.toBe(first.orders[0].orderId);
    const human = await order(['list', '--limit', '1']);
    expect(human.stdout).toContain('more: --cursor ');
  });
});
