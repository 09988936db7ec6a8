/** The run's plan, the driver's reading of an order's status, and the command line. */
import { parseArgs } from './args';
import { landedPhase, phaseAt, phaseOf } from './drive';
import type { StatusView } from './drive';
import { planOrders, WINDOWS } from './plan';
import { seededRandom } from './random';
import { countMessages, modeSeed } from './run';

describe('the plan', () => {
  it('is the same for the same seed, and differs for another', () => {
    expect(planOrders(seededRandom(42), 50, 'x')).toEqual(planOrders(seededRandom(42), 50, 'x'));
    expect(planOrders(seededRandom(42), 50, 'x')).not.toEqual(planOrders(seededRandom(43), 50, 'x'));
    expect(modeSeed(42, 'seed')).not.toBe(modeSeed(42, 'deadline'));
  });

  it('at CI size, aims every kind of message at every window, and sometimes declines shipping', () => {
    const plans = planOrders(seededRandom(7), 150, 'ci');
    const messages = plans.flatMap((p) => p.messages);
    for (const window of WINDOWS) {
      for (const kind of ['cancel', 'address', 'approve'] as const) {
        expect(messages.filter((m) => m.window === window && m.kind === kind).length).toBeGreaterThan(0);
      }
    }
    expect(plans.every((p) => p.faults.preset === 'exercise' && Number.isInteger(p.faults.seed))).toBe(true);
    expect(new Set(plans.map((p) => p.faults.seed)).size).toBe(plans.length);
    expect(new Set(plans.map((p) => p.faults.declineDispatchAttempts ?? 0))).toEqual(new Set([0, 1, 2, 3]));
    expect(plans.some((p) => p.messages.length === 0)).toBe(true);
    // Messages go in the order of the order's life, one per window.
    for (const p of plans) expect(p.messages.map((m) => WINDOWS.indexOf(m.window))).toEqual([...new Set(p.messages.map((m) => WINDOWS.indexOf(m.window)))].sort());
  });
});

const status = (over: Partial<StatusView>): StatusView => ({
  state: 'in_review',
  step: 'ManualReview',
  shipping: { attempt: 0, maxAttempts: 3, dispatched: false, workflowId: null, carrierRef: null },
  deadline: new Date().toISOString(),
  timeline: [],
  ...over,
});

describe('where an order is', () => {
  it('reads the phase from the live status', () => {
    expect(phaseOf(null)).toBe('unknown');
    expect(phaseOf(status({ state: 'validated', step: 'ValidateOrder' }))).toBe('before_review');
    expect(phaseOf(status({}))).toBe('review');
    expect(phaseOf(status({ step: 'ChargePayment' }))).toBe('charge');
    expect(phaseOf(status({ state: 'shipping', step: 'ShippingWorkflow' }))).toBe('ready_to_dispatch');
    expect(phaseOf(status({ state: 'shipping', step: 'ShippingWorkflow', shipping: { attempt: 1, maxAttempts: 3, dispatched: true, workflowId: 'w', carrierRef: null } }))).toBe('after_dispatch');
    expect(phaseOf(status({ state: 'shipping', step: 'MarkShipped' }))).toBe('after_dispatch');
    expect(phaseOf(status({ state: 'paid', step: 'Compensation' }))).toBe('compensation');
    expect(phaseOf(status({ state: 'failed', step: null }))).toBe('terminal');
  });

  it('moves a message on when its refusal says the order had moved on', () => {
    expect(landedPhase('ready_to_dispatch', 200, null)).toBe('ready_to_dispatch');
    expect(landedPhase('ready_to_dispatch', 409, 'already dispatched')).toBe('after_dispatch');
    expect(landedPhase('charge', 409, 'order already finished')).toBe('compensation');
    expect(landedPhase('review', 409, 'order o-1 is already failed')).toBe('terminal');
    expect(landedPhase('charge', 409, 'order is not in review')).toBe('charge');
  });

  it("places a moment on the order's own timeline", () => {
    const t0 = Date.parse('2026-11-27T00:00:00.000Z');
    const at = (ms: number) => new Date(t0 + ms).toISOString();
    const timeline = [
      { event: 'validated', at: at(100) },
      { event: 'in_review', at: at(200) },
      { event: 'address_updated', at: at(900) },
      { event: 'review_timer_elapsed', at: at(2_200) },
      { event: 'paid', at: at(2_600) },
      { event: 'shipping', at: at(2_650) },
      { event: 'dispatch_approved', at: at(3_500) },
      { event: 'completed', at: at(4_000) },
    ];
    expect(phaseAt(timeline, t0)).toBeNull();
    expect(phaseAt(timeline, t0 + 150)).toBe('before_review');
    expect(phaseAt(timeline, t0 + 1_000)).toBe('review');
    expect(phaseAt(timeline, t0 + 2_300)).toBe('charge');
    expect(phaseAt(timeline, t0 + 3_000)).toBe('ready_to_dispatch');
    expect(phaseAt(timeline, t0 + 3_600)).toBe('after_dispatch');
    expect(phaseAt(timeline, t0 + 9_000)).toBe('terminal');
  });

  it('counts messages by where they landed, and near the deadline', () => {
    const plan = planOrders(seededRandom(1), 1, 'c')[0] as ReturnType<typeof planOrders>[number];
    const sent = (landed: 'review' | 'after_dispatch', accepted: boolean, nearDeadline: boolean) => ({
      kind: 'cancel' as const,
      target: 'review' as const,
      phaseBefore: landed,
      phaseAtSend: landed,
      landed,
      nearDeadline,
      msToDeadline: 0,
      httpStatus: accepted ? 200 : 409,
      accepted,
      refusal: accepted ? null : 'already dispatched',
      sentAt: '',
    });
    const counts = countMessages([
      { plan, postStatus: 201, postError: null, accepted: true, messages: [sent('review', true, false), sent('after_dispatch', false, true)], skipped: [{ kind: 'address', target: 'charge', phase: 'terminal' }] },
    ]);
    expect(counts.targeted).toEqual({ review: 2, charge: 1, ready_to_dispatch: 0, after_dispatch: 0, near_deadline: 0 });
    expect(counts.skipped.charge).toBe(1);
    expect(counts.landed.review).toMatchObject({ sent: 1, accepted: 1, refused: 0 });
    expect(counts.landed.after_dispatch).toMatchObject({ sent: 1, accepted: 0, refused: 1 });
    expect(counts.landed.near_deadline).toMatchObject({ sent: 1, refused: 1 });
  });
});

describe('the command line', () => {
  it('defaults to a CI-sized run over both modes at a fresh seed, and takes the full size', () => {
    const defaults = parseArgs([]);
    expect(defaults).toMatchObject({ orders: 300, modes: ['seed', 'deadline'], rate: 3, settleMs: 120_000 });
    expect(parseArgs(['--orders', '2000', '--seed', '12', '--modes', 'deadline', '--settle-s', '30', '--keep-logs'])).toMatchObject({
      orders: 2000,
      seed: 12,
      modes: ['deadline'],
      settleMs: 30_000,
      keepLogs: true,
    });
  });

  it('refuses what it does not understand', () => {
    expect(parseArgs(['--orders', 'lots'])).toEqual({ error: '--orders: expected a number >= 1, got lots' });
    expect(parseArgs(['--modes', 'fast'])).toEqual({ error: '--modes: expected seed and/or deadline, got fast' });
    expect(parseArgs(['--colour'])).toEqual({ error: 'unknown argument --colour' });
  });
});
