/**
 * The rules on hand-built evidence: well-behaved orders pass, and each
 * invariant fails on an order that breaks it.
 */
import type { OrderEvidence, WorkflowEvidence } from './evidence';
import { ALL_SOURCES, BOOKKEEPING_ONLY, cancelledOrder, completedOrder, failedOrder, transitions } from './fixtures.test-helpers';
import { evaluate, holds, mergeReports } from './rules';
import type { InvariantName, InvariantReport } from './rules';
import { formatReport } from './check';

const violators = (report: InvariantReport, name: InvariantName) => report.invariants.find((i) => i.name === name)?.violations ?? [];
const whyOf = (report: InvariantReport, name: InvariantName, orderId: string) => violators(report, name).find((v) => v.orderId === orderId)?.why.join('; ') ?? '';
/** The invariants an order breaks. */
const broken = (report: InvariantReport, orderId: string) => report.invariants.filter((i) => i.violations.some((v) => v.orderId === orderId)).map((i) => i.name);

const row = (e: OrderEvidence) => e.order as NonNullable<OrderEvidence['order']>;
const wf = (e: OrderEvidence) => e.workflow as NonNullable<OrderEvidence['workflow']>;

const modify = (base: OrderEvidence, change: (e: OrderEvidence) => void): OrderEvidence => {
  const copy = structuredClone(base);
  change(copy);
  return copy;
};

describe('well-behaved orders', () => {
  it('pass every invariant, with each ending counted where it applies', () => {
    const report = evaluate([completedOrder(), cancelledOrder(), failedOrder()], ALL_SOURCES);
    expect(holds(report)).toBe(true);
    expect(report.invariants.map((i) => [i.name, i.orders, i.violations.length])).toEqual([
      ['single-charge', 3, 0],
      ['completed-paid-shipped', 1, 0],
      ['not-completed-refunded', 2, 0],
      ['terminal-and-consistent', 3, 0],
    ]);
    expect(report.byState).toEqual({ completed: 1, cancelled: 1, failed: 1 });
    expect(report.doubleCharged).toEqual([]);
    expect(report.shippedUnpaid).toEqual([]);
    expect(report.notes).toEqual([]);
  });
});

describe('single-charge', () => {
  it('fails when the gateway charged an order twice', () => {
    const twice = modify(completedOrder('twice'), (e) => e.gateway?.push({ idempotencyKey: 'pmt-twice-2', operation: 'charge', paymentId: 'pmt-twice-2', orderId: 'twice', amount: 10 }));
    const report = evaluate([twice], ALL_SOURCES);
    expect(whyOf(report, 'single-charge', 'twice')).toContain('gateway charged 2 times');
    expect(report.doubleCharged).toEqual(['twice']);
  });

  it('fails when one order has two payment rows', () => {
    const two = modify(completedOrder('two-rows'), (e) => e.payments.push({ paymentId: 'pmt-other', orderId: 'two-rows', status: 'charged', amount: 10 }));
    expect(whyOf(evaluate([two], ALL_SOURCES), 'single-charge', 'two-rows')).toContain('2 payment rows');
  });

  it('fails when a charge stands on a payment the books call voided (a late charge after the refund decision)', () => {
    const late = modify(cancelledOrder('late-charge'), (e) => {
      e.gateway = (e.gateway ?? []).filter((op) => op.operation === 'charge');
      (e.payments[0] as { status: string }).status = 'voided';
    });
    const report = evaluate([late], ALL_SOURCES);
    expect(whyOf(report, 'single-charge', 'late-charge')).toContain('stands (not refunded) but the payment is voided');
    expect(whyOf(report, 'not-completed-refunded', 'late-charge')).toContain('never refunded');
  });

  it('fails on payment_charged recorded twice, from the bookkeeping alone', () => {
    const dup = modify(completedOrder('dup-event'), (e) => e.events.push({ type: 'payment_charged', dedupeKey: 'again', state: null, paymentId: 'pmt-dup-event' }));
    const report = evaluate([dup], BOOKKEEPING_ONLY);
    expect(whyOf(report, 'single-charge', 'dup-event')).toContain('payment_charged recorded 2 times');
  });
});

describe('completed-paid-shipped', () => {
  it('fails when a completed order was refunded', () => {
    const refunded = modify(completedOrder('refunded'), (e) => {
      e.gateway?.push({ idempotencyKey: 'refund:pmt-refunded', operation: 'refund', paymentId: 'pmt-refunded', orderId: 'refunded', amount: 10 });
      (e.payments[0] as { status: string }).status = 'refunded';
    });
    const report = evaluate([refunded], ALL_SOURCES);
    expect(whyOf(report, 'completed-paid-shipped', 'refunded')).toMatch(/gateway charge was refunded.*payment is refunded/);
    expect(report.shippedUnpaid).toEqual(['refunded']);
  });

  it('fails when a completed order was shipped twice, or never', () => {
    const twice = modify(completedOrder('shipped-twice'), (e) => {
      e.shipments?.push({ idempotencyKey: 'shipping-shipped-twice-2', orderId: 'shipped-twice' });
      e.events.push({ type: 'carrier_dispatched', dedupeKey: 'dispatch:2', state: null, paymentId: null });
    });
    const never = modify(completedOrder('never-shipped'), (e) => {
      e.shipments = [];
      e.events = e.events.filter((ev) => ev.type !== 'carrier_dispatched' && ev.type !== 'order_shipped');
      wf(e).children = [];
    });
    const report = evaluate([twice, never], ALL_SOURCES);
    expect(whyOf(report, 'completed-paid-shipped', 'shipped-twice')).toMatch(/2 carrier shipments.*2 carrier_dispatched events/);
    expect(whyOf(report, 'completed-paid-shipped', 'never-shipped')).toMatch(/0 carrier shipments.*0 carrier_dispatched events.*no order_shipped event.*0 completed shipping children/);
  });

  it('fails when a completed order was never charged', () => {
    const unpaid = modify(completedOrder('unpaid'), (e) => {
      e.gateway = [];
      e.payments = [];
    });
    const report = evaluate([unpaid], ALL_SOURCES);
    expect(whyOf(report, 'completed-paid-shipped', 'unpaid')).toMatch(/gateway never charged.*no payments row/);
    expect(report.shippedUnpaid).toEqual(['unpaid']);
  });
});

describe('not-completed-refunded', () => {
  it("fails on today's bug: failed, refunded, yet the carrier was dispatched", () => {
    const shipped = modify(cancelledOrder('shipped-refunded'), (e) => {
      row(e).state = 'failed';
      e.events = [...transitions('received', 'validated', 'in_review', 'paid', 'shipping', 'failed'), { type: 'carrier_dispatched', dedupeKey: 'dispatch:1', state: null, paymentId: null }];
      e.shipments = [{ idempotencyKey: 'shipping-shipped-refunded-1', orderId: 'shipped-refunded' }];
      e.workflow = {
        workflowId: 'order-shipped-refunded',
        status: 'FAILED',
        result: null,
        failure: { type: 'OrderFailed', message: 'deadline', result: { orderId: 'shipped-refunded', state: 'failed', reason: 'deadline_exceeded', carrierRef: null } },
        children: [{ workflowId: 'shipping-shipped-refunded-1', status: 'COMPLETED' }],
      };
    });
    const report = evaluate([shipped], ALL_SOURCES);
    expect(broken(report, 'shipped-refunded')).toEqual(['not-completed-refunded']);
    expect(whyOf(report, 'not-completed-refunded', 'shipped-refunded')).toMatch(/shipped: 1 carrier shipment.*1 carrier_dispatched event.*shipping child shipping-shipped-refunded-1 completed/);
    expect(report.shippedUnpaid).toEqual(['shipped-refunded']);
  });

  it('fails when a cancelled order kept the money, by the ledger and by the books', () => {
    const kept = modify(cancelledOrder('kept'), (e) => {
      e.gateway = (e.gateway ?? []).filter((op) => op.operation === 'charge');
      (e.payments[0] as { status: string }).status = 'charged';
    });
    expect(whyOf(evaluate([kept], ALL_SOURCES), 'not-completed-refunded', 'kept')).toMatch(/gateway charge pmt-kept was never refunded.*still charged/);
    expect(whyOf(evaluate([kept], BOOKKEEPING_ONLY), 'not-completed-refunded', 'kept')).toBe('cancelled but payment pmt-kept is still charged');
  });

  it('fails on a refund left owed or a payment left pending', () => {
    const owed = modify(cancelledOrder('owed'), (e) => (row(e).refundOwed = true));
    const pending = modify(failedOrder('pending'), (e) => e.payments.push({ paymentId: 'pmt-pending', orderId: 'pending', status: 'pending', amount: 10 }));
    const report = evaluate([owed, pending], ALL_SOURCES);
    expect(whyOf(report, 'not-completed-refunded', 'owed')).toContain('refund_owed = true');
    expect(whyOf(report, 'not-completed-refunded', 'pending')).toContain('left pending');
  });
});

describe('terminal-and-consistent', () => {
  it('fails on an order left mid-way, with no row, or whose workflow still runs', () => {
    const midway = modify(completedOrder('midway'), (e) => {
      row(e).state = 'shipping';
      e.events = transitions('received', 'validated', 'in_review', 'paid', 'shipping');
      e.workflow = { workflowId: 'order-midway', status: 'RUNNING', result: null, failure: null, children: [{ workflowId: 'shipping-midway-1', status: 'RUNNING' }] };
    });
    const noRow = modify(failedOrder('no-row'), (e) => {
      e.order = null;
      e.events = [];
      wf(e).status = 'NOT_FOUND';
    });
    const report = evaluate([midway, noRow], ALL_SOURCES);
    expect(whyOf(report, 'terminal-and-consistent', 'midway')).toBe('state shipping is not terminal; workflow still running; shipping child shipping-midway-1 still running');
    expect(whyOf(report, 'terminal-and-consistent', 'no-row')).toBe('no orders row; no workflow order-no-row');
    expect(report.byState).toEqual({ shipping: 1, '(no row)': 1 });
  });

  it("fails when the database's state is not the workflow's result", () => {
    const saysFailed = modify(completedOrder('says-failed'), (e) => {
      row(e).state = 'failed';
      e.events = [...transitions('received', 'failed')];
      e.shipments = [];
      e.events = e.events.filter((ev) => ev.type !== 'carrier_dispatched');
      wf(e).children = [];
      e.gateway = [];
      e.payments = [];
    });
    const timedOut = modify(failedOrder('timed-out'), (e) => {
      e.workflow = { workflowId: 'order-timed-out', status: 'TIMED_OUT', result: null, failure: null, children: [] };
    });
    const notOrderFailed = modify(failedOrder('plain-failure'), (e) => {
      wf(e).failure = { type: 'Error', message: 'boom in a signal handler', result: null };
    });
    const otherResult = modify(cancelledOrder('other-result'), (e) => {
      wf(e).result = { orderId: 'other-result', state: 'completed', reason: null, carrierRef: null };
    });
    const lateUnflagged = modify(completedOrder('late-unflagged'), (e) => (wf(e).result = { ...(wf(e).result as NonNullable<WorkflowEvidence['result']>), late: true }));
    const report = evaluate([saysFailed, timedOut, notOrderFailed, otherResult, lateUnflagged], ALL_SOURCES);
    expect(whyOf(report, 'terminal-and-consistent', 'late-unflagged')).toBe("orders.late is false, the workflow's result says late true");
    expect(whyOf(report, 'terminal-and-consistent', 'says-failed')).toBe('database says failed, workflow COMPLETED with result state completed');
    expect(whyOf(report, 'terminal-and-consistent', 'timed-out')).toBe('database says failed, workflow TIMED_OUT');
    expect(whyOf(report, 'terminal-and-consistent', 'plain-failure')).toBe('database says failed, workflow FAILED (Error: boom in a signal handler)');
    expect(whyOf(report, 'terminal-and-consistent', 'other-result')).toBe('database says cancelled, workflow COMPLETED with result state completed');
  });

  it('fails when a transition is recorded twice, a terminal one is missing, or a completed order skipped a state', () => {
    const twice = modify(cancelledOrder('twice'), (e) => e.events.push({ type: 'transition', dedupeKey: null, state: 'paid', paymentId: null }));
    const noTerminal = modify(failedOrder('no-terminal'), (e) => (e.events = transitions('received', 'validated')));
    const skipped = modify(completedOrder('skipped'), (e) => (e.events = e.events.filter((ev) => ev.state !== 'paid')));
    const twoEndings = modify(cancelledOrder('two-endings'), (e) => e.events.push(...transitions('failed')));
    const report = evaluate([twice, noTerminal, skipped, twoEndings], ALL_SOURCES);
    expect(whyOf(report, 'terminal-and-consistent', 'twice')).toBe("transition 'paid' recorded 2 times");
    expect(whyOf(report, 'terminal-and-consistent', 'no-terminal')).toBe('no transition event for its state failed');
    expect(whyOf(report, 'terminal-and-consistent', 'skipped')).toBe('completed without transition events for paid');
    expect(whyOf(report, 'terminal-and-consistent', 'two-endings')).toBe('2 terminal transitions (cancelled, failed)');
  });
});

describe('missing witnesses', () => {
  it('say so, and judge from the bookkeeping alone', () => {
    const shipped = modify(cancelledOrder('bk-shipped'), (e) => e.events.push({ type: 'carrier_dispatched', dedupeKey: 'dispatch:1', state: null, paymentId: null }));
    const noLedger = { ...shipped, gateway: null, shipments: null, workflow: null };
    const report = evaluate([noLedger], BOOKKEEPING_ONLY);
    expect(report.notes[0]).toBe('sandbox ledger missing (sandbox.gateway_operations, sandbox.carrier_shipments), checking bookkeeping only');
    expect(report.notes).toContain('Temporal not consulted: workflow status, results and shipping children not checked');
    expect(whyOf(report, 'not-completed-refunded', 'bk-shipped')).toBe('cancelled but 1 carrier_dispatched event');
    expect(report.shippedUnpaid).toEqual(['bk-shipped']);
  });
});

describe('the report', () => {
  it('prints one line per invariant, each followed by its violators', () => {
    const bad = modify(cancelledOrder('bad'), (e) => ((e.payments[0] as { status: string }).status = 'charged'));
    const text = formatReport(evaluate([completedOrder(), bad], ALL_SOURCES));
    expect(text.split('\n')).toEqual([
      'invariant: single-charge orders: 2 violations: 0',
      'invariant: completed-paid-shipped orders: 1 violations: 0',
      'invariant: not-completed-refunded orders: 1 violations: 1',
      '  bad: cancelled but payment pmt-bad is still charged',
      'invariant: terminal-and-consistent orders: 2 violations: 0',
      'double-charged orders: 0',
      'shipped-unpaid orders: 0',
      'late orders (completed after the deadline, flagged): 0',
    ]);
  });

  it('merges the reports of several runs', () => {
    const a = evaluate([completedOrder('a1'), failedOrder('a2')], ALL_SOURCES);
    const b = evaluate([modify(cancelledOrder('b1'), (e) => (row(e).refundOwed = true))], ALL_SOURCES);
    const merged = mergeReports([a, b]);
    expect(merged.orders).toBe(3);
    expect(merged.invariants.map((i) => [i.name, i.orders, i.violations.map((v) => v.orderId)])).toEqual([
      ['single-charge', 3, []],
      ['completed-paid-shipped', 1, []],
      ['not-completed-refunded', 2, ['b1']],
      ['terminal-and-consistent', 3, []],
    ]);
    expect(merged.byState).toEqual({ completed: 1, failed: 1, cancelled: 1 });
  });
});
