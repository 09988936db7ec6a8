/**
 * The verbs that map one-to-one onto an API call: start-workflow, status,
 * cancel, update-address, approve, describe, events and list.
 */
import type { Address, FaultPlan, OrderItem } from '@order-fulfillment/contracts';
import { ORDER_STATES } from '@order-fulfillment/contracts';
import type { CreateOrderBody } from '../api';
import { OptionSpec, UsageError, Values, intOption, listOption, stringOption } from '../args';
import { EXIT } from '../exit-codes';
import { describeLines, eventsLines, formatAddress, listLines, orderLines, stateColour } from '../format';
import type { Verb } from './context';
import { watchOrder } from './watch';

const ADDRESS_OPTIONS: OptionSpec[] = [
  { name: 'street', type: 'string', value: '<street>', description: 'street and number' },
  { name: 'city', type: 'string', value: '<city>', description: 'city' },
  { name: 'postal-code', type: 'string', value: '<code>', description: 'postal code' },
  { name: 'country', type: 'string', value: '<country>', description: 'country' },
];

/** The address from --street/--city/--postal-code/--country; null when none is given. */
export function addressFromOptions(values: Values, verb: string, required: boolean): Address | null {
  const street = stringOption(values, 'street');
  const city = stringOption(values, 'city');
  const postalCode = stringOption(values, 'postal-code');
  const country = stringOption(values, 'country');
  if (!required && [street, city, postalCode, country].every((v) => v === undefined)) return null;
  const missing = [street === undefined && '--street', city === undefined && '--city'].filter(Boolean);
  if (missing.length) throw new UsageError(`an address needs ${missing.join(' and ')}`, verb);
  return {
    street: street as string,
    city: city as string,
    ...(postalCode !== undefined ? { postalCode } : {}),
    ...(country !== undefined ? { country } : {}),
  };
}

/** `SKU`, `SKU:QTY` or `SKU:QTY:UNIT_PRICE`. */
export function parseItem(raw: string, verb = 'start-workflow'): OrderItem {
  const [sku, qtyText, priceText, ...extra] = raw.split(':');
  const bad = (why: string) => new UsageError(`--item "${raw}": ${why} (expected SKU:QTY, e.g. ABC:2)`, verb);
  if (!sku || extra.length) throw bad('malformed');
  const item: OrderItem = { sku, qty: 1 };
  if (qtyText !== undefined) {
    if (!/^\d+$/.test(qtyText) || Number(qtyText) < 1) throw bad('the quantity must be a whole number of at least 1');
    item.qty = Number(qtyText);
  }
  if (priceText !== undefined) {
    const price = Number(priceText);
    if (priceText.trim() === '' || !Number.isFinite(price) || price < 0) throw bad('the unit price must be a number of at least 0');
    item.unitPrice = price;
  }
  return item;
}

function parseFaults(raw: string | undefined): FaultPlan | undefined {
  if (raw === undefined) return undefined;
  try {
    const plan = JSON.parse(raw) as unknown;
    if (!plan || typeof plan !== 'object' || Array.isArray(plan)) throw new Error('not an object');
    return plan as FaultPlan;
  } catch {
    throw new UsageError(`--faults must be a JSON object, e.g. '{"declineDispatchAttempts":1}'`, 'start-workflow');
  }
}

const orderIdOf = (positionals: string[]) => positionals[0] as string;

export const startWorkflow: Verb = {
  name: 'start-workflow',
  summary: 'start an order (OrderWorkflow order-<orderId>)',
  positionals: ['orderId', 'paymentId'],
  options: [
    { name: 'item', type: 'string', multiple: true, value: '<SKU:QTY>', description: 'an item, repeatable; SKU:QTY:PRICE sets a unit price (default: one ABC × 1)' },
    ...ADDRESS_OPTIONS,
    { name: 'faults', type: 'string', value: '<json>', description: 'per-order fault plan for chaos testing, e.g. \'{"declineDispatchAttempts":1}\' (the API must allow fault injection)' },
    { name: 'watch', type: 'boolean', description: 'then follow the order until it ends (as `order watch`)' },
  ],
  details: [
    'The paymentId is the charge\'s idempotency key: one payment id is charged at most once.',
    'An orderId that exists already is a conflict (exit 4); the existing order is left alone.',
  ],
  examples: [
    'order start-workflow order-123 pmt-123',
    'order start-workflow order-124 pmt-124 --item ABC:2 --item XYZ:1 --street "1 Main St" --city Springfield',
    'order start-workflow order-125 pmt-125 --watch',
  ],
  async run({ api, out, values, positionals, signal }) {
    const [orderId, paymentId] = positionals as [string, string];
    const body: CreateOrderBody = { orderId, paymentId };
    const items = listOption(values, 'item').map((raw) => parseItem(raw));
    if (items.length) body.items = items;
    const address = addressFromOptions(values, 'start-workflow', false);
    if (address) body.address = address;
    const faults = parseFaults(stringOption(values, 'faults'));
    if (faults) body.faults = faults;
    const created = await api.createOrder(body);
    if (out.json && !values['watch']) out.data(created);
    else if (!out.json) {
      out.line(`${out.paint.green('started')} order ${out.paint.bold(created.orderId)} (workflow ${created.workflowId}, run ${created.runId})`);
      if (!values['watch']) out.line(out.paint.dim(`follow it: order watch ${created.orderId}`));
    }
    if (values['watch']) return watchOrder({ api, out, signal }, created.orderId, {});
    return EXIT.ok;
  },
};

export const status: Verb = {
  name: 'status',
  summary: 'show an order: state, step, payment, shipping, attempts, last error, timeline',
  positionals: ['orderId'],
  options: [],
  details: ['Live from the workflow while it runs; from the database once it has ended.'],
  examples: ['order status order-123', 'order status order-123 --json | jq -r .state'],
  async run({ api, out, positionals }) {
    const order = await api.getOrder(orderIdOf(positionals));
    if (out.json) out.data(order);
    else for (const line of orderLines(out.paint, order)) out.line(line);
    return EXIT.ok;
  },
};

export const cancel: Verb = {
  name: 'cancel',
  summary: 'cancel an order (refunds the payment if it was charged); refused once dispatched',
  positionals: ['orderId'],
  options: [{ name: 'reason', type: 'string', value: '<text>', description: 'why (recorded in the audit trail)' }],
  details: ['A refusal ("already dispatched", "order already finished") exits 4 with the reason.'],
  examples: ['order cancel order-123', 'order cancel order-123 --reason "customer changed their mind"'],
  async run({ api, out, values, positionals }) {
    const orderId = orderIdOf(positionals);
    const accepted = await api.cancel(orderId, stringOption(values, 'reason'));
    if (out.json) out.data({ orderId, ...accepted });
    else {
      out.line(`${out.paint.green('cancel accepted')} for order ${out.paint.bold(orderId)} (it was ${stateColour(out.paint, accepted.state)}); it ends cancelled, refunded if it was charged`);
      out.line(out.paint.dim(`follow it: order watch ${orderId}`));
    }
    return EXIT.ok;
  },
};

export const updateAddress: Verb = {
  name: 'update-address',
  summary: 'change the shipping address; the dispatch uses the latest one; refused once dispatched',
  positionals: ['orderId'],
  options: ADDRESS_OPTIONS,
  details: ['--street and --city are required.'],
  examples: ['order update-address order-123 --street "456 New St" --city "New City"', 'order update-address order-123 --street "456 New St" --city "New City" --postal-code 12345 --country US'],
  async run({ api, out, values, positionals }) {
    const orderId = orderIdOf(positionals);
    const address = addressFromOptions(values, 'update-address', true) as Address;
    const accepted = await api.updateAddress(orderId, address);
    if (out.json) out.data({ orderId, address, ...accepted });
    else out.line(`${out.paint.green('address updated')} for order ${out.paint.bold(orderId)} (${stateColour(out.paint, accepted.state)}): ${formatAddress(address)}`);
    return EXIT.ok;
  },
};

export const approve: Verb = {
  name: 'approve',
  summary: 'approve an order in manual review, ending the review early',
  positionals: ['orderId'],
  options: [{ name: 'by', type: 'string', value: '<name>', description: 'who approves (recorded in the audit trail)' }],
  details: ['Refused (exit 4) when the order is not in review.'],
  examples: ['order approve order-123', 'order approve order-123 --by reviewer-7'],
  async run({ api, out, values, positionals }) {
    const orderId = orderIdOf(positionals);
    const accepted = await api.approve(orderId, stringOption(values, 'by'));
    if (out.json) out.data({ orderId, ...accepted });
    else out.line(`${out.paint.green('approved')} order ${out.paint.bold(orderId)} (${stateColour(out.paint, accepted.state)})`);
    return EXIT.ok;
  },
};

export const describe: Verb = {
  name: 'describe',
  summary: "show the order's Temporal execution: status, pending activities and children, history length",
  positionals: ['orderId'],
  options: [],
  examples: ['order describe order-123', 'order describe order-123 --json'],
  async run({ api, out, positionals }) {
    const d = await api.describe(orderIdOf(positionals));
    if (out.json) out.data(d);
    else for (const line of describeLines(out.paint, d)) out.line(line);
    return EXIT.ok;
  },
};

export const events: Verb = {
  name: 'events',
  summary: "show the order's audit trail: transitions, retries, signals, payments, compensation",
  positionals: ['orderId'],
  options: [],
  examples: ['order events order-123', "order events order-123 --json | jq '.[] | select(.type == \"carrier_dispatched\")'"],
  async run({ api, out, positionals }) {
    const list = await api.events(orderIdOf(positionals));
    if (out.json) out.data(list);
    else for (const line of eventsLines(out.paint, list)) out.line(line);
    return EXIT.ok;
  },
};

export const list: Verb = {
  name: 'list',
  summary: 'list orders, newest first',
  positionals: [],
  options: [
    { name: 'state', type: 'string', value: '<state>', description: `only orders in this state: ${ORDER_STATES.join(', ')}` },
    { name: 'limit', type: 'string', value: '<n>', description: 'at most n orders (1-100, default 20)' },
    { name: 'cursor', type: 'string', value: '<cursor>', description: 'the next page, as printed by the previous one' },
  ],
  examples: ['order list', 'order list --state failed --limit 5', 'order list --json | jq -r .nextCursor'],
  async run({ api, out, values }) {
    const state = stringOption(values, 'state');
    if (state !== undefined && !(ORDER_STATES as readonly string[]).includes(state)) {
      throw new UsageError(`--state must be one of ${ORDER_STATES.join(', ')} (got "${state}")`, 'list');
    }
    const limit = intOption(values, 'limit', 'list', { min: 1, max: 100 });
    const page = await api.listOrders({ state, limit, cursor: stringOption(values, 'cursor') });
    if (out.json) out.data(page);
    else for (const line of listLines(out.paint, page)) out.line(line);
    return EXIT.ok;
  },
};
