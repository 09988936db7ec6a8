/**
 * `order watch`: a live line per step until the order ends; exit 0 when it
 * completes, 1 when it does not; Ctrl-C stops watching (130) and leaves the
 * order alone.
 */
import { collect, json, order, spawnOrder, uniqueId, waitForOrder } from './support/cli';

describe('order watch', () => {
  it('follows an order to completion, a line per step, and exits 0', async () => {
    const orderId = uniqueId('cli-watch');
    const r = await order(['start-workflow', orderId, uniqueId('pmt'), '--watch']);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    const order_ = ['received', 'validated', 'in_review', 'review_timer_elapsed', 'paid', 'shipping', 'dispatch_approved', 'completed'];
    const positions = order_.map((step) => lines.findIndex((l) => new RegExp(`→ ${step}\\b`).test(l)));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(r.stdout).toMatch(/· payment_charged: /);
    expect(r.stdout).toMatch(/· carrier_dispatched: trk-shipping-/);
    expect(lines.filter((l) => / → received/.test(l))).toHaveLength(1); // each step once
    expect(r.stdout).toMatch(new RegExp(`order ${orderId} completed · payment charged · shipped trk-shipping-${orderId}-1 \\(attempt 1\\)`));
  });

  it('shows a failed shipment and its retry as they happen', async () => {
    const orderId = uniqueId('cli-watch-retry');
    await order(['start-workflow', orderId, uniqueId('pmt'), '--faults', '{"declineDispatchAttempts":1}']);
    const r = await order(['watch', orderId, '--interval', '100']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/! activity_failed: DispatchCarrier attempt 1: carrier declined shipment/);
    expect(r.stdout).toMatch(/! last error: shipping attempt 1: /);
    expect(r.stdout).toMatch(/→ shipping_attempt \[ShippingWorkflow\] attempt 2/);
    expect(r.stdout).toMatch(/completed .*\(attempt 2\)/);
  });

  it('exits 1 when the order ends without completing', async () => {
    const orderId = uniqueId('cli-watch-cancel');
    await order(['start-workflow', orderId, uniqueId('pmt')]);
    await waitForOrder(orderId, (o) => o.state === 'in_review');
    expect((await order(['cancel', orderId])).code).toBe(0);
    const r = await order(['watch', orderId]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/· cancel_requested: /);
    expect(r.stdout).toContain(`order ${orderId} cancelled · reason: cancelled by request · payment voided`);
  });

  it('streams JSON lines with --json, ending with the whole order', async () => {
    const orderId = uniqueId('cli-watch-json');
    await order(['start-workflow', orderId, uniqueId('pmt')]);
    const r = await order(['watch', orderId, '--json']);
    expect(r.code).toBe(0);
    const records = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(records.at(-1)).toMatchObject({ orderId, kind: 'end', state: 'completed', order: { orderId, state: 'completed' } });
    expect(records.filter((x) => x.kind === 'step').map((x) => x.text)).toContain('paid [ChargePayment]');
  });

  it('stops on Ctrl-C with exit 130 and leaves the order alone', async () => {
    const orderId = uniqueId('cli-watch-int');
    await order(['start-workflow', orderId, uniqueId('pmt')]);
    const child = spawnOrder(['watch', orderId]);
    const result = collect(child, 20_000, ['watch', orderId]);
    // Interrupt once watch has shown the order in review.
    await new Promise<void>((resolve, reject) => {
      const deadline = setTimeout(() => reject(new Error('watch never showed in_review')), 15_000);
      let seen = '';
      child.stdout?.on('data', (chunk: string) => {
        seen += chunk;
        if (/→ in_review/.test(seen)) {
          clearTimeout(deadline);
          resolve();
        }
      });
    });
    child.kill('SIGINT');
    const r = await result;
    expect(r.code).toBe(130);
    expect(r.stdout).toContain(`stopped watching order ${orderId}`);
    expect(r.stdout).toContain('the order was left alone');
    // The order carries on to the end: watching never cancels it.
    const end = await waitForOrder(orderId, (o) => o.state === 'completed' || o.state === 'cancelled' || o.state === 'failed');
    expect(end.state).toBe('completed');
    expect(json(await order(['events', orderId, '--json'])).map((e: { type: string }) => e.type)).not.toContain('cancel_requested');
  });
});
