import { LIMITS, addressProblems, orderAmount, orderProblems, problemField, isTerminalState, ID_PATTERN } from './order';
import { DEFAULT_RETRY_MODE, defaultOrderPolicy, retryModeProblems } from './policy';
import { orderWorkflowId, shippingWorkflowId } from './temporal';

describe('orderProblems', () => {
  it('accepts the seed default basket', () => {
    expect(orderProblems({ items: [{ sku: 'ABC', qty: 1 }], address: null })).toEqual([]);
  });

  it('names each problem with its field', () => {
    expect(orderProblems({ items: [], address: null })).toEqual(['items: the order has no items']);
    expect(orderProblems({ items: [{ sku: '', qty: 0 }, { sku: 'A', qty: 1.5 }], address: { street: '', city: 'X' } })).toEqual([
      'items[0].sku: must be 1-64 characters',
      'items[0].qty: must be an integer from 1 to 1000',
      'items[1].qty: must be an integer from 1 to 1000',
      'address.street: is required',
    ]);
  });

  it('bounds the number of items', () => {
    const items = Array.from({ length: 101 }, () => ({ sku: 'A', qty: 1 }));
    expect(orderProblems({ items, address: null })).toEqual(['items: at most 100 items']);
  });
});

describe('the order total cap', () => {
  it('accepts a total at the cap and refuses one cent more, so the charge fits numeric(12,2)', () => {
    const at = [{ sku: 'A', qty: 10, unitPrice: LIMITS.maxOrderTotal / 10 }];
    expect(orderProblems({ items: at, address: null })).toEqual([]);
    const over = [...at, { sku: 'B', qty: 1, unitPrice: 0.01 }];
    expect(orderProblems({ items: over, address: null })).toEqual([expect.stringMatching(/^items: the order totals 10000000.01, more than the largest accepted total of 10000000$/)]);
    // The largest order the field rules alone allow (100 items x 1000 x 1 000 000) is refused.
    const largest = Array.from({ length: LIMITS.maxItems }, (_, i) => ({ sku: `S${i}`, qty: LIMITS.maxQty, unitPrice: 1_000_000 }));
    expect(orderProblems({ items: largest, address: null })).toHaveLength(1);
    expect(LIMITS.maxOrderTotal).toBeLessThan(9_999_999_999.99);
  });

  it('refuses whitespace-only sku and street', () => {
    expect(orderProblems({ items: [{ sku: '   ', qty: 1 }], address: { street: ' \t', city: 'X' } })).toEqual([
      'items[0].sku: must be 1-64 characters',
      'address.street: is required',
    ]);
  });
});

describe('problemField', () => {
  it('names the field the way the API does', () => {
    expect(problemField('items[3].sku: must be 1-64 characters')).toEqual({ field: 'items.3.sku', reason: 'must be 1-64 characters' });
    expect(problemField('address.street: is required')).toEqual({ field: 'address.street', reason: 'is required' });
    expect(problemField('address.street: is required', '')).toEqual({ field: 'street', reason: 'is required' });
    expect(problemField('address: is required', '')).toEqual({ field: 'body', reason: 'is required' });
  });
});

describe('addressProblems', () => {
  it('requires street and city, bounds every field', () => {
    expect(addressProblems({ street: '1 St', city: 'X', postalCode: '123', country: 'US' })).toEqual([]);
    expect(addressProblems(null)).toEqual(['address: is required']);
    expect(addressProblems({ street: 'x'.repeat(201), city: ' ' })).toEqual([
      'address.street: at most 200 characters',
      'address.city: is required',
    ]);
  });
});

describe('orderAmount', () => {
  it('sums qty x unit price in cents, defaulting the price to 10', () => {
    expect(orderAmount([{ sku: 'A', qty: 2 }, { sku: 'B', qty: 3, unitPrice: 0.1 }])).toBe(20.3);
  });
});

describe('names', () => {
  it('derives workflow ids from the order id', () => {
    expect(orderWorkflowId('123')).toBe('order-123');
    expect(shippingWorkflowId('123', 2)).toBe('shipping-123-2');
  });
  it('knows the terminal states and the id rule', () => {
    expect(['completed', 'cancelled', 'failed'].every(isTerminalState)).toBe(true);
    expect(isTerminalState('paid')).toBe(false);
    expect(ID_PATTERN.test('order-1.2_3')).toBe(true);
    expect(ID_PATTERN.test('has space')).toBe(false);
    expect(ID_PATTERN.test('x'.repeat(65))).toBe(false);
  });
});

describe('defaultOrderPolicy', () => {
  it('keeps the deadline by default: deadline mode, 2 s review, 15 s budget', () => {
    const policy = defaultOrderPolicy();
    expect(DEFAULT_RETRY_MODE).toBe('deadline');
    expect(policy.retryMode).toBe('deadline');
    expect(policy.reviewMs).toBe(2_000);
    expect(policy.deadlineMs).toBe(15_000);
    const { RefundPayment, ...rest } = policy.activities;
    expect(Object.values(rest).every((a) => a.local && a.retry.maximumAttempts === 0)).toBe(true);
    // The refund stays remote in every mode (ADR 009).
    expect(RefundPayment.local).toBe(false);
  });
  it('seed mode follows the seed: at most 3 attempts, no hedging, 2 s review, 15 s budget', () => {
    const policy = defaultOrderPolicy('seed');
    expect(policy.retryMode).toBe('seed');
    expect(policy.reviewMs).toBe(2_000);
    expect(policy.deadlineMs).toBe(15_000);
    expect(policy.shipping.maxAttempts).toBe(3);
    const { RefundPayment, ...rest } = policy.activities;
    expect(Object.values(rest).every((a) => a.retry.maximumAttempts === 3 && a.hedgeAfterMs === 0)).toBe(true);
    // Compensation keeps trying for its whole budget.
    expect(RefundPayment.retry.maximumAttempts).toBe(0);
  });
  it('deadline mode retries without a count limit and hedges', () => {
    const policy = defaultOrderPolicy('deadline');
    expect(Object.values(policy.activities).every((a) => a.retry.maximumAttempts === 0 && a.hedgeAfterMs > 0)).toBe(true);
  });
  it('gives every activity its own copy (changing one changes no other)', () => {
    const policy = defaultOrderPolicy('seed');
    policy.activities.ChargePayment.retry.maximumAttempts = 9;
    expect(policy.activities.MarkShipped.retry.maximumAttempts).toBe(3);
  });
});

describe('retryModeProblems', () => {
  it('accepts the known modes', () => {
    expect(retryModeProblems('seed')).toEqual([]);
    expect(retryModeProblems('deadline')).toEqual([]);
  });
  it('names the field and the modes for anything else', () => {
    for (const bad of ['fast', '', 'SEED', 3, null, undefined, {}]) {
      expect(retryModeProblems(bad)).toEqual(['retryMode: must be one of seed, deadline']);
    }
  });
});
