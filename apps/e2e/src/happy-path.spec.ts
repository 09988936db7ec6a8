/**
 * One order end to end through the built apps: POST /orders -> completed, with
 * its rows in orders, payments and events.
 */
import { http, sql, uniqueId, waitForOrder } from './support/helpers';

describe('an order, end to end', () => {
  it('completes and leaves one order, one payment and its events', async () => {
    const orderId = uniqueId('order');
    const paymentId = uniqueId('pmt');

    const created = await http('POST', '/orders', { orderId, paymentId });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ orderId, workflowId: `order-${orderId}`, state: 'received' });

    const order = await waitForOrder(orderId, (o) => o.state === 'completed', 15_000);
    expect(order.items).toEqual([{ sku: 'ABC', qty: 1 }]);
    expect(order.payment).toEqual({ paymentId, status: 'charged', amount: 10 });
    expect(order.shipping.carrierRef).toBe(`trk-shipping-${orderId}-1`);
    expect(order.timeline.map((t: { event: string }) => t.event)).toEqual(
      expect.arrayContaining(['received', 'validated', 'in_review', 'paid', 'shipping', 'completed']),
    );

    const orders = await sql('SELECT state, payment_id FROM orders WHERE id = $1', [orderId]);
    expect(orders).toEqual([{ state: 'completed', payment_id: paymentId }]);
    const payments = await sql('SELECT order_id, status, amount FROM payments WHERE payment_id = $1', [paymentId]);
    expect(payments).toEqual([{ order_id: orderId, status: 'charged', amount: '10.00' }]);
    const events = await sql<{ type: string; state: string | null }>(
      `SELECT type, payload->>'state' AS state FROM events WHERE order_id = $1 ORDER BY id`,
      [orderId],
    );
    expect(events.length).toBeGreaterThanOrEqual(6);
    expect(events.filter((e) => e.type === 'transition').map((e) => e.state)).toEqual([
      'received',
      'validated',
      'in_review',
      'paid',
      'shipping',
      'completed',
    ]);
  });

  it('refuses a second order with the same orderId (409) and never starts it', async () => {
    const orderId = uniqueId('dup');
    expect((await http('POST', '/orders', { orderId, paymentId: uniqueId('pmt') })).status).toBe(201);
    const again = await http('POST', '/orders', { orderId, paymentId: uniqueId('pmt') });
    expect(again.status).toBe(409);
    expect(again.body.message).toContain(orderId);
    await waitForOrder(orderId, (o) => o.state === 'completed', 15_000);
    expect(await sql('SELECT count(*)::int AS n FROM payments WHERE order_id = $1', [orderId])).toEqual([{ n: 1 }]);
  });

  it('answers 404 for an unknown order and 400 naming a bad field', async () => {
    expect((await http('GET', `/orders/${uniqueId('nope')}`)).status).toBe(404);
    const bad = await http('POST', '/orders', { orderId: 'has space', paymentId: 'p1', items: [{ sku: 'A', qty: 0 }] });
    expect(bad.status).toBe(400);
    const fields = bad.body.errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['orderId', 'items.0.qty']));
    expect(JSON.stringify(bad.body)).not.toMatch(/at .*\.js:\d+/);
  });
});
