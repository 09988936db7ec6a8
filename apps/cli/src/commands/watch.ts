/**
 * `order watch`: a live line per step, with retries and errors as they happen,
 * until the order ends. It polls GET /orders/:id and GET /orders/:id/events
 * and prints what is new: timeline entries, attempt counts that grew, a changed
 * last error, and audit events the timeline does not show (activity errors,
 * charges, dispatches, refusals). Ctrl-C stops watching and leaves the order be.
 */
import { isTerminalState } from '@order-fulfillment/contracts';
import type { ApiClient, OrderEvent, OrderView } from '../api';
import { intOption } from '../args';
import { EXIT } from '../exit-codes';
import { eventDetail, stateColour } from '../format';
import { clock, Output, seconds } from '../output';
import type { Verb } from './context';
import { pause } from './context';

export interface WatchLine {
  at: string;
  kind: 'step' | 'event' | 'retry' | 'error';
  text: string;
}

/** Audit events worth a line of their own (transitions and notes come from the timeline). */
const EVENT_KINDS: Record<string, WatchLine['kind']> = {
  activity_error: 'error',
  activity_failed: 'error',
  compensation_failed: 'error',
  cancel_requested: 'event',
  cancel_refused: 'event',
  address_update_refused: 'event',
  approve_refused: 'event',
  payment_charged: 'event',
  package_prepared: 'event',
  carrier_dispatched: 'event',
};

/** Remembers what has been shown, and turns each new poll into the lines not yet shown. */
export class WatchState {
  private readonly timelineSeen = new Set<string>();
  private readonly eventsSeen = new Set<number>();
  private readonly attempts = new Map<string, number>();
  private lastError: string | null = null;

  next(order: OrderView, events: OrderEvent[], now = new Date().toISOString()): WatchLine[] {
    const lines: WatchLine[] = [];
    for (const entry of order.timeline ?? []) {
      const key = `${entry.event}|${entry.at}|${entry.detail ?? ''}`;
      if (this.timelineSeen.has(key)) continue;
      this.timelineSeen.add(key);
      const step = entry.step ? ` [${entry.step}]` : '';
      lines.push({ at: entry.at, kind: 'step', text: `${entry.event}${step}${entry.detail ? ` ${entry.detail}` : ''}` });
    }
    for (const event of events) {
      if (this.eventsSeen.has(event.id)) continue;
      this.eventsSeen.add(event.id);
      const kind = EVENT_KINDS[event.type];
      if (kind) lines.push({ at: event.ts, kind, text: `${event.type}: ${eventDetail(event)}` });
    }
    for (const [name, count] of Object.entries(order.attempts ?? {})) {
      const before = this.attempts.get(name) ?? 1;
      this.attempts.set(name, Math.max(before, count));
      for (let n = before + 1; n <= count; n++) lines.push({ at: now, kind: 'retry', text: `${name}: attempt ${n}` });
    }
    if (order.lastError && order.lastError !== this.lastError) lines.push({ at: now, kind: 'error', text: `last error: ${order.lastError}` });
    this.lastError = order.lastError ?? this.lastError;
    return lines.sort((a, b) => a.at.localeCompare(b.at));
  }
}

export interface WatchOptions {
  intervalMs?: number;
  timeoutMs?: number;
}

export async function watchOrder(
  ctx: { api: ApiClient; out: Output; signal: AbortSignal },
  orderId: string,
  options: WatchOptions,
): Promise<number> {
  const { api, out, signal } = ctx;
  const intervalMs = options.intervalMs ?? 250;
  const timeoutMs = options.timeoutMs ?? 120_000;
  const started = Date.now();
  const state = new WatchState();
  const icons: Record<WatchLine['kind'], string> = {
    step: out.paint.cyan('→'),
    event: out.paint.dim('·'),
    retry: out.paint.yellow('↻'),
    error: out.paint.red('!'),
  };
  let order: OrderView | null = null;
  if (!out.json) out.line(out.paint.dim(`watching order ${orderId} at ${api.baseUrl} (Ctrl-C stops watching; the order carries on)`));
  try {
    for (;;) {
      order = await api.getOrder(orderId);
      const terminal = isTerminalState(order.state);
      const events = await api.events(orderId);
      for (const line of state.next(order, events)) {
        if (out.json) out.record({ orderId, ...line });
        else out.line(`${out.paint.dim(clock(line.at))}  ${icons[line.kind]} ${line.kind === 'error' ? out.paint.red(line.text) : line.text}`);
      }
      if (terminal) return finish(out, order);
      if (Date.now() - started > timeoutMs) {
        out.error(`order ${orderId} is still ${order.state} after ${seconds(timeoutMs)}; stopped watching`, { orderId, state: order.state });
        return EXIT.failure;
      }
      await pause(intervalMs, signal);
    }
  } catch (err) {
    if (!signal.aborted) throw err;
    const last = order ? ` (last seen ${order.state})` : '';
    if (out.json) out.record({ orderId, kind: 'interrupted', state: order?.state ?? null });
    else out.line(`\nstopped watching order ${orderId}${last}; the order was left alone`);
    return EXIT.interrupted;
  }
}

function finish(out: Output, order: OrderView): number {
  if (out.json) {
    out.record({ orderId: order.orderId, kind: 'end', state: order.state, reason: order.reason, order });
  } else {
    const lastAt = order.timeline?.length ? order.timeline[order.timeline.length - 1]?.at : undefined;
    const tookMs = lastAt && order.startedAt ? Date.parse(lastAt) - Date.parse(order.startedAt) : NaN;
    const parts = [
      `order ${out.paint.bold(order.orderId)} ${stateColour(out.paint, order.state)}`,
      order.reason ? `reason: ${order.reason}` : '',
      `payment ${order.payment.status}`,
      order.shipping.carrierRef ? `shipped ${order.shipping.carrierRef} (attempt ${order.shipping.attempt})` : '',
      Number.isFinite(tookMs) ? `in ${seconds(tookMs)}` : '',
    ].filter(Boolean);
    out.line(parts.join(' · '));
  }
  return order.state === 'completed' ? EXIT.ok : EXIT.failure;
}

export const watch: Verb = {
  name: 'watch',
  summary: 'follow an order live, a line per step, retry and error, until it ends',
  positionals: ['orderId'],
  options: [
    { name: 'interval', type: 'string', value: '<ms>', description: 'poll every ms milliseconds (50-10000, default 250)' },
    { name: 'timeout', type: 'string', value: '<s>', description: 'give up after s seconds (default 120)' },
  ],
  details: [
    'Exits 0 when the order completes, 1 when it ends failed or cancelled (or the timeout passes), 3 when there is no such order.',
    'Ctrl-C stops watching and exits 130; it never cancels the order (that is `order cancel`).',
    'With --json, one JSON object per line; the last has "kind": "end" and the whole order.',
  ],
  examples: ['order watch order-123', 'order start-workflow order-126 pmt-126 && order watch order-126', 'order watch order-123 --json'],
  run({ api, out, values, positionals, signal }) {
    const intervalMs = intOption(values, 'interval', 'watch', { min: 50, max: 10_000 });
    const timeoutS = intOption(values, 'timeout', 'watch', { min: 1, max: 86_400 });
    return watchOrder({ api, out, signal }, positionals[0] as string, { intervalMs, timeoutMs: timeoutS === undefined ? undefined : timeoutS * 1000 });
  },
};
