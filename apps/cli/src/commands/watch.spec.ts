import type { OrderEvent, OrderView } from '../api';
import { WatchState } from './watch';

function view(patch: Partial<OrderView>): OrderView {
  return {
    orderId: 'o1',
    workflowId: 'order-o1',
    state: 'received',
    step: null,
    items: [{ sku: 'ABC', qty: 1 }],
    address: null,
    payment: { paymentId: 'p1', status: 'pending', amount: 10 },
    shipping: { attempt: 0, maxAttempts: 3, dispatched: false, workflowId: null, carrierRef: null },
    attempts: {},
    lastError: null,
    reason: null,
    late: false,
    refundOwed: false,
    review: { approved: false, by: null },
    startedAt: '2030-01-01T00:00:00.000Z',
    deadline: '2030-01-01T00:00:15.000Z',
    timeline: [],
    source: 'workflow',
    createdAt: null,
    updatedAt: null,
    ...patch,
  };
}

const at = (s: number) => `2030-01-01T00:00:${String(s).padStart(2, '0')}.000Z`;

describe('watch', () => {
  it('prints each timeline entry once, in time order with the events', () => {
    const w = new WatchState();
    const t1 = [{ event: 'received', step: 'ReceiveOrder' as const, at: at(1) }];
    const events: OrderEvent[] = [{ id: 1, type: 'transition', payload: { state: 'received' }, ts: at(1) }];
    expect(w.next(view({ timeline: t1 }), events, at(1)).map((l) => l.text)).toEqual(['received [ReceiveOrder]']);
    const t2 = [...t1, { event: 'paid', step: 'ChargePayment' as const, at: at(3) }];
    const more: OrderEvent[] = [...events, { id: 2, type: 'payment_charged', payload: { paymentId: 'p1', amount: 10 }, ts: at(2) }];
    expect(w.next(view({ timeline: t2 }), more, at(3)).map((l) => l.text)).toEqual(['payment_charged: p1 10', 'paid [ChargePayment]']);
    expect(w.next(view({ timeline: t2 }), more, at(4))).toEqual([]);
  });

  it('reports retries as attempts grow, and a new last error once', () => {
    const w = new WatchState();
    expect(w.next(view({ attempts: { ChargePayment: 1 } }), [], at(1))).toEqual([]);
    expect(w.next(view({ attempts: { ChargePayment: 3 }, lastError: 'boom' }), [], at(2)).map((l) => `${l.kind} ${l.text}`)).toEqual([
      'retry ChargePayment: attempt 2',
      'retry ChargePayment: attempt 3',
      'error last error: boom',
    ]);
    expect(w.next(view({ attempts: { ChargePayment: 3 }, lastError: 'boom' }), [], at(3))).toEqual([]);
  });

  it('keeps quiet about transitions in the audit trail (the timeline has them)', () => {
    const w = new WatchState();
    const lines = w.next(view({}), [{ id: 7, type: 'transition', payload: { state: 'paid' }, ts: at(1) }], at(1));
    expect(lines).toEqual([]);
  });
});
