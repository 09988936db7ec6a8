/**
 * Drives planned orders through the REST API: posts them at a steady rate and
 * sends each order's messages when its live status (`GET /orders/:id`) shows
 * the targeted window, after the plan's random delay. Every message records
 * where the order really was when it was sent and what the API answered, so
 * the run can say how many messages landed in each window.
 */
import type { OrderStatus } from '@order-fulfillment/contracts';
import { isTerminalState } from '@order-fulfillment/contracts';
import type { MessageKind, OrderPlan, PlannedMessage, Window } from './plan';

/** Where an order is, as seen from outside. */
export const PHASES = ['before_review', 'review', 'charge', 'ready_to_dispatch', 'after_dispatch', 'compensation', 'terminal'] as const;
export type Phase = (typeof PHASES)[number] | 'unknown';
const rank = (phase: Phase): number => (phase === 'unknown' ? -1 : PHASES.indexOf(phase));

/** The part of the API's order view the driver reads. */
export type StatusView = Pick<OrderStatus, 'state' | 'step' | 'shipping' | 'deadline' | 'timeline'> & Partial<Pick<OrderStatus, 'review'>>;

export function phaseOf(status: StatusView | null): Phase {
  if (!status) return 'unknown';
  if (isTerminalState(status.state)) return 'terminal';
  if (status.step === 'Compensation') return 'compensation';
  if (status.shipping?.dispatched || status.step === 'MarkShipped') return 'after_dispatch';
  if (status.step === 'ShippingWorkflow') return 'ready_to_dispatch';
  if (status.step === 'ChargePayment') return 'charge';
  if (status.step === 'ManualReview') return 'review';
  return 'before_review';
}

/** The phase each timeline entry (a state entered, or a noted event) starts; others change nothing. */
const PHASE_FROM_TIMELINE: Record<string, Phase> = {
  received: 'before_review',
  validated: 'before_review',
  in_review: 'review',
  review_approved: 'charge',
  review_timer_elapsed: 'charge',
  charge_started: 'charge',
  paid: 'ready_to_dispatch',
  shipping: 'ready_to_dispatch',
  shipping_attempt: 'ready_to_dispatch',
  dispatch_approved: 'after_dispatch',
  payment_refunded: 'compensation',
  payment_voided: 'compensation',
  nothing_to_refund: 'compensation',
  refund_pending: 'compensation',
  completed: 'terminal',
  cancelled: 'terminal',
  failed: 'terminal',
};

/**
 * Where the order was at `at` (epoch ms), by its own timeline (the workflow's
 * clock, on this machine): the phase of the last entry at or before then.
 * null when the timeline says nothing of that moment.
 */
export function phaseAt(timeline: ReadonlyArray<{ event: string; at: string }>, at: number): Phase | null {
  let phase: Phase | null = null;
  const entries = [...timeline].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  for (const entry of entries) {
    if (Date.parse(entry.at) > at) break;
    phase = PHASE_FROM_TIMELINE[entry.event] ?? phase;
  }
  return phase;
}

/** The later of two phases. */
export const laterPhase = (a: Phase, b: Phase): Phase => (rank(a) >= rank(b) ? a : b);

/** How close to its deadline a message counts as "near the deadline", either side. */
export const NEAR_DEADLINE_MS = 2_000;

export interface SentMessage {
  kind: MessageKind;
  target: Window;
  /** The order's phase just before the message was sent, as its live status showed it (unknown when not looked at). */
  phaseBefore: Phase;
  /** The order's phase when the message was sent, by the order's own timeline (set after the run; null when unknown). */
  phaseAtSend: Phase | null;
  /**
   * Where it landed: the phase at sending (by the timeline, else the live status), moved on
   * when the refusal says the order had moved on by the time the workflow took it.
   */
  landed: Phase;
  /** Within NEAR_DEADLINE_MS of the deadline (and not yet terminal) when sent. */
  nearDeadline: boolean;
  msToDeadline: number | null;
  httpStatus: number;
  accepted: boolean;
  /** The API's message when refused or failed. */
  refusal: string | null;
  sentAt: string;
  address?: PlannedMessage['address'];
}

export interface DrivenOrder {
  plan: OrderPlan;
  postStatus: number;
  postError: string | null;
  accepted: boolean;
  messages: SentMessage[];
  /** The order's own timeline, from its final status (filled in after the run). */
  timeline?: Array<{ event: string; at: string }>;
  /** Planned messages not sent: the order was over (or unreachable) before their window. */
  skipped: Array<{ kind: MessageKind; target: Window; phase: Phase }>;
}

export interface DriveOptions {
  apiUrl: string;
  /** The stack's ORDER_REVIEW_MS: when the review timer ends, so the charge window can be aimed at. */
  reviewMs: number;
  /** Orders posted per second. */
  ratePerSecond: number;
  /** Called with a line now and then. */
  progress?: (line: string) => void;
}

interface HttpAnswer {
  status: number;
  body: unknown;
  error: string | null;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

async function http(base: string, method: string, path: string, body?: unknown): Promise<HttpAnswer> {
  try {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(20_000),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON
    }
    return { status: response.status, body: parsed, error: null };
  } catch (err) {
    return { status: 0, body: null, error: err instanceof Error ? err.message : String(err) };
  }
}

class OrderDriver {
  private status: StatusView | null = null;
  private readonly result: DrivenOrder;

  constructor(
    private readonly plan: OrderPlan,
    private readonly options: DriveOptions,
  ) {
    this.result = { plan, postStatus: 0, postError: null, accepted: false, messages: [], skipped: [] };
  }

  async run(): Promise<DrivenOrder> {
    const { plan } = this;
    const posted = await http(this.options.apiUrl, 'POST', '/orders', {
      orderId: plan.orderId,
      paymentId: plan.paymentId,
      items: plan.items,
      ...(plan.address ? { address: plan.address } : {}),
      faults: plan.faults,
    });
    this.result.postStatus = posted.status;
    this.result.postError = posted.status === 201 ? null : (posted.error ?? JSON.stringify(posted.body));
    this.result.accepted = posted.status === 201;
    if (!this.result.accepted) return this.result;
    for (const message of plan.messages) {
      // A message to a finished order proves nothing: skip it, and say so. (Aimed at the charge,
      // it goes without a last look: the status query would wait for the charge to end.)
      const aimed = await this.aim(message);
      const over = !aimed || (message.window !== 'charge' && phaseOf(await this.refresh()) === 'terminal');
      if (over) this.result.skipped.push({ kind: message.kind, target: message.window, phase: phaseOf(this.status) });
      else await this.send(message);
    }
    return this.result;
  }

  private async refresh(): Promise<StatusView | null> {
    const answer = await http(this.options.apiUrl, 'GET', `/orders/${this.plan.orderId}`);
    if (answer.status === 200) this.status = answer.body as StatusView;
    return this.status;
  }

  /** Polls until the order's phase is at least `phase` (or terminal). Returns false when it never got there in time. */
  private async until(phase: Phase, intervalMs: number, timeoutMs = 60_000): Promise<boolean> {
    const giveUp = Date.now() + timeoutMs;
    while (Date.now() < giveUp) {
      await this.refresh();
      if (rank(phaseOf(this.status)) >= rank(phase)) return true;
      await sleep(intervalMs * (0.75 + Math.random() * 0.5));
    }
    return false;
  }

  /**
   * Waits for the message's moment. Returns false when the order is over (or
   * unreachable) and the rest of its messages need not be sent.
   */
  private async aim(message: PlannedMessage): Promise<boolean> {
    switch (message.window) {
      case 'review':
        if (!(await this.until('review', 200))) return false;
        if (phaseOf(this.status) === 'review') await sleep(message.delayMs);
        return true;
      case 'charge': {
        // The charge starts when the review ends: at the timer (2 s after the timeline's
        // in_review, plus the time its bookkeeping took) or at an approval. Aim by the clock,
        // spread over a second: in deadline mode the charge is a local activity that holds the
        // workflow task, so the status query cannot answer until it is over. Where each message
        // really landed is read from the order's timeline afterwards.
        if (!(await this.until('review', 200)) || phaseOf(this.status) === 'terminal') return false;
        if (phaseOf(this.status) === 'review' && !this.status?.review?.approved) {
          const entered = this.status?.timeline?.find((t) => t.event === 'in_review')?.at;
          const reviewEndsAt = entered ? Date.parse(entered) + this.options.reviewMs : Date.now();
          await sleep(reviewEndsAt - Date.now() + message.delayMs);
        } else if (phaseOf(this.status) === 'review' || phaseOf(this.status) === 'charge') {
          await sleep(message.delayMs);
        }
        return true;
      }
      case 'ready_to_dispatch':
        if (!(await this.until('ready_to_dispatch', 100))) return false;
        if (phaseOf(this.status) === 'ready_to_dispatch') await sleep(message.delayMs);
        return true;
      case 'after_dispatch':
        if (!(await this.until('after_dispatch', 150))) return false;
        if (phaseOf(this.status) === 'after_dispatch') await sleep(message.delayMs);
        return true;
      case 'near_deadline': {
        if (!this.status) await this.refresh();
        const deadline = this.status?.deadline ? Date.parse(this.status.deadline) : NaN;
        if (Number.isNaN(deadline)) return this.status !== null;
        await sleep(deadline - message.delayMs - Date.now());
        return true;
      }
    }
  }

  private async send(message: PlannedMessage): Promise<void> {
    const { apiUrl } = this.options;
    const id = this.plan.orderId;
    const before = message.window === 'charge' ? 'unknown' : phaseOf(this.status);
    const deadline = this.status?.deadline ? Date.parse(this.status.deadline) : NaN;
    const sentAt = Date.now();
    const answer =
      message.kind === 'cancel'
        ? await http(apiUrl, 'POST', `/orders/${id}/cancel`, { reason: `invariants: ${message.window}` })
        : message.kind === 'address'
          ? await http(apiUrl, 'PUT', `/orders/${id}/address`, message.address)
          : await http(apiUrl, 'POST', `/orders/${id}/approve`, { by: 'invariants' });
    const refusal = answer.status === 200 ? null : (answer.error ?? describeBody(answer.body));
    const msToDeadline = Number.isNaN(deadline) ? null : deadline - sentAt;
    this.result.messages.push({
      kind: message.kind,
      target: message.window,
      phaseBefore: before,
      phaseAtSend: null,
      landed: landedPhase(before, answer.status, refusal),
      nearDeadline: before !== 'terminal' && msToDeadline !== null && Math.abs(msToDeadline) <= NEAR_DEADLINE_MS,
      msToDeadline,
      httpStatus: answer.status,
      accepted: answer.status === 200,
      refusal,
      sentAt: new Date(sentAt).toISOString(),
      ...(message.address ? { address: message.address } : {}),
    });
  }
}

/** A refusal tells where the order really was when the message arrived. */
export function landedPhase(before: Phase, httpStatus: number, refusal: string | null): Phase {
  if (httpStatus !== 409 || !refusal) return before;
  // The API's answer when the workflow had closed: "order <id> is already <state>".
  if (/is already (completed|cancelled|failed)/.test(refusal)) return 'terminal';
  if (refusal.includes('already dispatched') && rank(before) < rank('after_dispatch')) return 'after_dispatch';
  if (refusal.includes('already finished') && rank(before) < rank('compensation')) return 'compensation';
  return before;
}

function describeBody(body: unknown): string {
  if (body && typeof body === 'object' && 'message' in body) return String((body as { message: unknown }).message);
  return typeof body === 'string' ? body.slice(0, 200) : JSON.stringify(body);
}

/** Posts the orders at the configured rate, each driven by its own task; resolves when all are driven. */
export async function driveOrders(plans: readonly OrderPlan[], options: DriveOptions): Promise<DrivenOrder[]> {
  const spacingMs = 1_000 / options.ratePerSecond;
  const started = Date.now();
  let done = 0;
  const tasks = plans.map(async (plan, i) => {
    await sleep(started + i * spacingMs - Date.now());
    const driven = await new OrderDriver(plan, options).run();
    done++;
    if (done % 50 === 0) options.progress?.(`${done}/${plans.length} orders driven`);
    return driven;
  });
  return Promise.all(tasks);
}
