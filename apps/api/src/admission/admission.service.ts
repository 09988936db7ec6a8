/**
 * Admission control of POST /orders (ADR 039): an order is admitted only while
 * fewer orders than the limit are in flight; the rest are refused with 503 and
 * Retry-After before a workflow exists.
 *
 * In flight (shared by every replica, read from PostgreSQL):
 * - open orders (not completed, cancelled or failed) whose deadline has not
 *   passed, counted from when they were admitted, without those owing a
 *   refund, plus
 * - orders admitted (a row in `admissions`) whose workflow has not written
 *   their `orders` row yet.
 * An order past its deadline no longer counts: in deadline mode it is being
 * refunded, or was dispatched and finishes late; counting it would let a
 * backlog of the past refuse orders the system can now serve.
 *
 * The decision and the admission row are one call to `admit_order` (migration
 * 004), one transaction under an advisory lock, so concurrent POSTs, to one
 * replica or several, never admit more than the limit. The limit is fixed
 * (ADMISSION_MAX_IN_FLIGHT=N) or adaptive, recomputed every
 * ADMISSION_REFRESH_MS from the orders that ended in the last
 * ADMISSION_WINDOW_MS (see limiter.ts).
 */
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import type { DataSource } from 'typeorm';
import { prepared } from '@order-fulfillment/db';
import { API_CONFIG } from '../config/api-config';
import type { AdmissionConfig, ApiConfig } from '../config/api-config';
import { DATA_SOURCE } from '../database/database.module';
import { MetricsService } from '../metrics/metrics.service';
import { AdmissionRefusedException } from './admission-refused';
import { LimiterSettings, nextLimit, retryAfterSeconds, throughputPerSecond } from './limiter';

/** pg_advisory_xact_lock key serialising admission decisions across replicas ("039 admission"). */
const ADMISSION_LOCK = 39_0039;
/** Admission rows are kept this many deadlines (the latency of a late order is measured from them). */
const KEEP_DEADLINES = 3;
const ENDED = `('completed','cancelled','failed')`;
/** How long an admission waits for the lock before it is refused as busy. */
const LOCK_TIMEOUT_MS = 1_000;
/** SQLSTATE lock_not_available (lock_timeout). */
const LOCK_NOT_AVAILABLE = '55P03';
/** Every POST's decision: prepared once per connection (ADR 054). */
const ADMIT = prepared('admit_order', `SELECT known, in_flight, admitted FROM admit_order($1, $2, $3, $4, $5)`);

export type Admitted = 'admitted' | 'known' | 'unlimited';

@Injectable()
export class AdmissionService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Admission');
  private readonly settings: AdmissionConfig;
  private readonly limiter: LimiterSettings;
  private limitNow: number;
  private inFlight = 0;
  private finishedPerSecond = 0;
  private readonly refused: Counter;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private refreshFailing = false;

  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(API_CONFIG) config: ApiConfig,
    metrics: MetricsService,
  ) {
    this.settings = config.admission;
    const s = this.settings;
    this.limiter = { targetLatencyMs: s.targetLatencyMs, minLimit: s.minLimit, maxLimit: s.maxInFlight, windowMs: s.windowMs };
    this.limitNow = s.mode === 'fixed' ? s.maxInFlight : Math.min(s.maxInFlight, s.initialLimit);
    const registers = [metrics.registry];
    const self = () => this;
    new Gauge({
      name: 'admission_limit',
      help: 'Most orders in flight this API replica admits (fixed, or the adaptive limit now); 0 when admission control is off.',
      registers,
      collect() {
        this.set(self().settings.mode === 'off' ? 0 : self().limitNow);
      },
    });
    new Gauge({
      name: 'admission_in_flight',
      help: 'Orders in flight across every replica (open and within their deadline, or admitted and not yet recorded), at the last count.',
      registers,
      collect() {
        this.set(self().inFlight);
      },
    });
    this.refused = new Counter({ name: 'admission_refused_total', help: 'POST /orders refused by this replica because the system was at its limit (503 with Retry-After).', registers });
  }

  get mode(): AdmissionConfig['mode'] {
    return this.settings.mode;
  }

  get limit(): number {
    return this.limitNow;
  }

  onApplicationBootstrap(): void {
    if (this.settings.mode === 'off') return;
    const tick = async () => {
      await this.refresh();
      if (!this.stopped) this.timer = setTimeout(tick, this.settings.refreshMs).unref();
    };
    void tick();
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  /**
   * Admits the order or throws {@link AdmissionRefusedException}. An order
   * already admitted (a retried POST) or already recorded is let through
   * without counting, so its replay is never refused.
   */
  async admit(orderId: string): Promise<Admitted> {
    if (this.settings.mode === 'off') return 'unlimited';
    const limit = this.limitNow;
    // Fast refusal: the last count (at most ADMISSION_REFRESH_MS old, or from this
    // replica's last decision) is already at the limit. Under overload most POSTs
    // end here, without queueing behind the lock. A retried POST of an admitted
    // order is not refused here: it is looked up first.
    if (this.inFlight >= limit && !(await this.known(orderId))) return this.refuse(limit, this.inFlight);
    let decision: { known: boolean; in_flight: number | null; admitted: boolean } | undefined;
    try {
      // One call, one transaction: the lock, the count and the admission row (migration 004).
      [decision] = (await this.dataSource.query(ADMIT, [
        orderId,
        this.settings.deadlineMs,
        limit,
        ADMISSION_LOCK,
        `${LOCK_TIMEOUT_MS}ms`,
      ])) as Array<{ known: boolean; in_flight: number | null; admitted: boolean }>;
    } catch (err) {
      // Too many admissions waiting for the lock at once: the system is busy, say so (never a 500).
      if ((err as { driverError?: { code?: string } }).driverError?.code === LOCK_NOT_AVAILABLE) return this.refuse(limit, Math.max(this.inFlight, limit));
      throw err;
    }
    if (!decision) throw new Error('admit_order returned no row');
    if (decision.known) return 'known';
    const inFlight = Number(decision.in_flight ?? 0);
    this.inFlight = decision.admitted ? inFlight + 1 : inFlight;
    if (decision.admitted) return 'admitted';
    return this.refuse(limit, inFlight);
  }

  private refuse(limit: number, inFlight: number): never {
    this.refused.inc();
    throw new AdmissionRefusedException(limit, inFlight, retryAfterSeconds(inFlight, limit, this.finishedPerSecond));
  }

  private async known(orderId: string): Promise<boolean> {
    const [row] = (await this.dataSource.query(
      `SELECT EXISTS (SELECT 1 FROM admissions WHERE order_id = $1) OR EXISTS (SELECT 1 FROM orders WHERE id = $1) AS known`,
      [orderId],
    )) as Array<{ known: boolean }>;
    return row?.known === true;
  }

  /** Gives the slot back: the workflow was certainly not started. */
  async release(orderId: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM admissions WHERE order_id = $1`, [orderId]);
  }

  /** Counts in flight, learns from the recent completions, forgets old admission rows. */
  async refresh(): Promise<void> {
    try {
      const s = this.settings;
      const [stats] = (await this.dataSource.query(
        `SELECT count(*) FILTER (WHERE o.updated_at - coalesce(a.admitted_at, o.created_at) <= make_interval(secs => $2::float8 / 1000))::int AS in_time,
                extract(epoch FROM now() - min(o.updated_at)) * 1000 AS first_ended_ms_ago
         FROM orders o LEFT JOIN admissions a ON a.order_id = o.id
         WHERE o.state IN ${ENDED} AND o.updated_at > now() - make_interval(secs => $1::float8 / 1000)`,
        [s.windowMs, s.deadlineMs],
      )) as Array<{ in_time: number; first_ended_ms_ago: number | string | null }>;
      const { n: inFlight, oldestMs } = await this.countInFlight();
      await this.dataSource.query(`DELETE FROM admissions WHERE admitted_at < now() - make_interval(secs => $1::float8 / 1000)`, [s.deadlineMs * KEEP_DEADLINES]);
      const finishedInTime = Number(stats?.in_time ?? 0);
      const firstEndedMsAgo = stats?.first_ended_ms_ago == null ? null : Number(stats.first_ended_ms_ago);
      this.inFlight = inFlight;
      this.finishedPerSecond = throughputPerSecond({ finishedInTime, firstEndedMsAgo }, s.windowMs);
      if (s.mode === 'adaptive') {
        const before = this.limitNow;
        this.limitNow = nextLimit(before, { finishedInTime, firstEndedMsAgo, oldestInFlightMs: oldestMs, inFlight }, this.limiter);
        if (this.limitNow !== before) this.logger.log({ limit: this.limitNow, was: before, inFlight, finishedInTime, oldestInFlightMs: oldestMs && Math.round(oldestMs) }, 'admission limit changed');
      }
      if (this.refreshFailing) this.logger.log('admission statistics readable again');
      this.refreshFailing = false;
    } catch (err) {
      // Keep the last limit; the admission decision itself reads the database and answers 503 if it is gone.
      if (!this.refreshFailing) this.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'admission statistics could not be read; keeping the last limit');
      this.refreshFailing = true;
    }
  }

  private async countInFlight(): Promise<{ n: number; oldestMs: number | null }> {
    const [row] = (await this.dataSource.query(`SELECT orders_in_flight($1) AS n, orders_in_flight_oldest_ms($1) AS oldest`, [this.settings.deadlineMs])) as Array<{ n: string | number; oldest: number | string | null }>;
    return { n: Number(row?.n ?? 0), oldestMs: row?.oldest == null ? null : Number(row.oldest) };
  }
}
