/**
 * Human-readable views of what the API returns. Pure functions from data to
 * lines, so they are tested without a terminal.
 */
import type { Address, OrderItem, TimelineEntry } from '@order-fulfillment/contracts';
import type { OrderEvent, OrderPage, OrderView, WorkflowDescription } from './api';
import { clock, Paint, table } from './output';

export function stateColour(paint: Paint, state: string): string {
  if (state === 'completed') return paint.green(state);
  if (state === 'failed') return paint.red(state);
  if (state === 'cancelled') return paint.yellow(state);
  return paint.cyan(state);
}

export function formatAddress(address: Address | null | undefined): string {
  if (!address) return 'none (parcel waits for pickup)';
  return [address.street, address.city, address.postalCode, address.country].filter(Boolean).join(', ');
}

export function formatItems(items: OrderItem[] | undefined): string {
  if (!items?.length) return '—';
  return items.map((i) => `${i.sku} × ${i.qty}${i.unitPrice !== undefined ? ` @ ${i.unitPrice}` : ''}`).join(', ');
}

export function formatAttempts(attempts: Record<string, number> | undefined): string {
  const entries = Object.entries(attempts ?? {});
  if (!entries.length) return '—';
  return entries.map(([name, n]) => `${name} ${n}`).join(' · ');
}

export function timelineLine(paint: Paint, entry: TimelineEntry): string {
  const step = entry.step ? paint.dim(` ${entry.step}`) : '';
  const detail = entry.detail ? ` ${entry.detail}` : '';
  return `${paint.dim(clock(entry.at))}  ${entry.event}${step}${detail}`;
}

export function orderLines(paint: Paint, order: OrderView): string[] {
  const shipping = order.shipping;
  const shippingText =
    shipping.attempt === 0
      ? 'not started'
      : `attempt ${shipping.attempt}${shipping.maxAttempts ? ` of ${shipping.maxAttempts}` : ''}${shipping.dispatched ? ' · dispatched' : ''}${
          shipping.carrierRef ? ` · ${shipping.carrierRef}` : ''
        }`;
  const review = order.review?.approved ? `approved${order.review.by ? ` by ${order.review.by}` : ''}` : 'timer';
  const rows: Array<[string, string]> = [
    ['step', order.step ?? '—'],
    ['payment', `${order.payment.paymentId} · ${order.payment.status} · ${order.payment.amount.toFixed(2)}`],
    ['shipping', shippingText],
    ['address', formatAddress(order.address)],
    ['items', formatItems(order.items)],
    ['review', review],
    ['attempts', formatAttempts(order.attempts)],
  ];
  if (order.lastError) rows.push(['last error', paint.red(order.lastError)]);
  if (order.reason) rows.push(['reason', order.reason]);
  if (order.startedAt) rows.push(['started', `${order.startedAt}${order.deadline ? `  (deadline ${order.deadline})` : ''}`]);
  const width = Math.max(...rows.map(([k]) => k.length));
  const lines = [`${paint.bold(order.orderId)}  ${stateColour(paint, order.state)}  ${paint.dim(`(workflow ${order.workflowId}, from the ${order.source})`)}`];
  for (const [k, v] of rows) lines.push(`  ${paint.dim(k.padEnd(width))}  ${v}`);
  if (order.timeline?.length) {
    lines.push('', paint.bold('timeline'));
    for (const entry of order.timeline) lines.push(`  ${timelineLine(paint, entry)}`);
  }
  return lines;
}

/** One line's worth of an audit event's payload. */
export function eventDetail(event: OrderEvent): string {
  const p = event.payload ?? {};
  const s = (k: string) => (p[k] === undefined || p[k] === null ? '' : String(p[k]));
  switch (event.type) {
    case 'transition':
      return [s('state'), s('step') && `(${s('step')})`, s('reason') && `reason: ${s('reason')}`].filter(Boolean).join(' ');
    case 'activity_error':
    case 'activity_failed':
      return `${s('activity')} attempt ${s('attempt')}: ${s('error')}`;
    case 'payment_charged':
      return `${s('paymentId')} ${s('amount')}`;
    case 'package_prepared':
      return s('packageId');
    case 'order_shipped':
      return s('carrierRef');
    case 'payment_refunded':
      return `${s('paymentId')}${s('reason') ? ` (${s('reason')})` : ''}`;
    case 'carrier_dispatched':
      return `${s('carrierRef')} → ${formatAddress(p['address'] as Address | null)}`;
    case 'address_updated':
      return formatAddress(p['address'] as Address | null);
    case 'dispatch_failed':
    case 'shipping_attempt_failed':
      return `attempt ${s('attempt')}: ${s('reason') || s('error')}`;
    default: {
      const text = JSON.stringify(p);
      return text === '{}' ? '' : text.length > 120 ? `${text.slice(0, 117)}...` : text;
    }
  }
}

export function eventsLines(paint: Paint, events: OrderEvent[]): string[] {
  if (!events.length) return ['no events yet'];
  return table(
    ['#', 'time', 'type', 'detail'],
    events.map((e) => [String(e.id), clock(e.ts), e.type, eventDetail(e)]),
    { header: paint.bold },
  );
}

export function listLines(paint: Paint, page: OrderPage): string[] {
  if (!page.orders.length) return ['no orders'];
  const lines = table(
    ['order', 'state', 'payment', 'items', 'updated'],
    page.orders.map((o) => [o.orderId, stateColour(paint, o.state), o.paymentId, formatItems(o.items), o.updatedAt]),
    { header: paint.bold },
  );
  if (page.nextCursor) lines.push('', paint.dim(`more: --cursor ${page.nextCursor}`));
  return lines;
}

export function describeLines(paint: Paint, d: WorkflowDescription): string[] {
  const lines = [
    `${paint.bold(d.workflowId)}  ${d.status}`,
    `  ${paint.dim('run         ')}  ${d.runId}`,
    `  ${paint.dim('type        ')}  ${d.type} on ${d.taskQueue}`,
    `  ${paint.dim('started     ')}  ${d.startTime}`,
    `  ${paint.dim('closed      ')}  ${d.closeTime ?? '—'}`,
    `  ${paint.dim('history     ')}  ${d.historyLength} events`,
  ];
  lines.push('', paint.bold('pending activities'));
  if (!d.pendingActivities.length) lines.push('  none');
  for (const a of d.pendingActivities) {
    lines.push(`  ${a.activityType ?? a.activityId}  attempt ${a.attempt}${a.maximumAttempts ? `/${a.maximumAttempts}` : ''}${a.lastFailure ? `  last failure: ${a.lastFailure}` : ''}`);
  }
  lines.push('', paint.bold('pending child workflows'));
  if (!d.pendingChildren.length) lines.push('  none');
  for (const c of d.pendingChildren) lines.push(`  ${c.workflowId}  ${c.type}`);
  return lines;
}
