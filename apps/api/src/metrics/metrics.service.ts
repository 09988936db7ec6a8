/**
 * Prometheus metrics of this API process, in a registry of its own.
 *
 * - `http_requests_total` and `http_request_duration_seconds` by method, route
 *   template (`/orders/:id`, never the raw URL, so cardinality stays bounded)
 *   and status. Requests that never reached a route (404s, bodies refused by
 *   the body parser) are labelled `route="<unrouted>"`.
 * - `orders_started_total`: orders this process started (201 on POST /orders).
 * - `orders{state}`: how many orders are in each state now, counted from the
 *   `orders` table. The database is the one source every API replica and both
 *   workers agree on; terminal states only ever grow, so
 *   `delta(orders{state="completed"}[5m])` is the completion count per 5 min.
 *   The count is cached for METRICS_CACHE_MS (15 s), so scrapes (however
 *   many) cost at most one query per period, and runs under its own
 *   statement_timeout, so PostgreSQL cancels it rather than let it pile up.
 * - `orders_late`: completed orders that finished past their deadline (they
 *   had been dispatched: dispatch is the point of no return), and
 *   `orders_refund_owed`: orders whose refund is still being retried. Both
 *   come from the same count.
 * - `orders_scrape_success`: 1 when that count succeeded, 0 when the database
 *   did not answer (the other metrics are still served).
 * - Node.js process metrics (`process_*`, `nodejs_*`).
 *
 * Served on a port of their own (METRICS_PORT, 9464), which the Kubernetes
 * Service does not expose: only what can reach the pod (Prometheus) scrapes.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { DataSource } from 'typeorm';
import { ORDER_STATES } from '@order-fulfillment/contracts';
import { API_CONFIG } from '../config/api-config';
import type { ApiConfig } from '../config/api-config';
import { DATA_SOURCE } from '../database/database.module';

export const UNROUTED = '<unrouted>';
const SCRAPE_TIMEOUT_MS = 2_000;

@Injectable()
export class MetricsService implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly registry = new Registry();
  private readonly requests: Counter<'method' | 'route' | 'status'>;
  private readonly duration: Histogram<'method' | 'route' | 'status'>;
  private readonly started: Counter;
  private pendingCount: Promise<OrderCounts | null> | null = null;
  private cachedCount: { at: number; counts: OrderCounts } | null = null;
  private server: Server | null = null;
  private readonly logger = new Logger('Metrics');

  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.requests = new Counter({ name: 'http_requests_total', help: 'HTTP requests answered, by method, route template and status.', labelNames: ['method', 'route', 'status'], registers });
    this.duration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Time to answer an HTTP request, by method, route template and status.',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.started = new Counter({ name: 'orders_started_total', help: 'Orders started by this API process (POST /orders answered 201).', registers });
    const countOnce = () => this.countOnce();
    new Gauge({
      name: 'orders',
      help: 'Orders in each state now, counted from the orders table at scrape time (terminal states only grow).',
      labelNames: ['state'],
      registers,
      async collect() {
        this.reset();
        const counts = await countOnce();
        if (counts) for (const state of ORDER_STATES) this.set({ state }, counts.byState.get(state) ?? 0);
      },
    });
    new Gauge({
      name: 'orders_late',
      help: 'Completed orders that finished past their deadline: dispatched before it, so finished rather than refunded.',
      registers,
      async collect() {
        const counts = await countOnce();
        if (counts) this.set(counts.late);
      },
    });
    new Gauge({
      name: 'orders_refund_owed',
      help: 'Orders whose refund has not succeeded yet and is still being retried (each stays open until it does).',
      registers,
      async collect() {
        const counts = await countOnce();
        if (counts) this.set(counts.refundOwed);
      },
    });
    new Gauge({
      name: 'orders_scrape_success',
      help: '1 when orders{state} could be counted from the database at this scrape, else 0.',
      registers,
      async collect() {
        this.set((await countOnce()) ? 1 : 0);
      },
    });
  }

  /** Starts the metrics server on METRICS_PORT (0: none). */
  async onApplicationBootstrap(): Promise<void> {
    const { port, host } = this.config.metrics;
    if (port === 0) return;
    const server = createServer((req, res) => {
      const path = (req.url ?? '').split('?')[0];
      if (req.method !== 'GET' || path !== '/metrics') {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: metrics are at GET /metrics\n');
        return;
      }
      this.registry.metrics().then(
        (body) => res.writeHead(200, { 'content-type': this.registry.contentType, 'cache-control': 'no-store' }).end(body),
        () => res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics could not be collected\n'),
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    this.server = server;
    this.logger.log({ port: (server.address() as AddressInfo).port, host }, 'metrics listening');
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  orderStarted(): void {
    this.started.inc();
  }

  /** Express middleware: times every request, labelled when it finishes. */
  httpMiddleware() {
    return (req: Request, res: Response, next: NextFunction): void => {
      const end = this.duration.startTimer();
      res.once('finish', () => {
        const labels = { method: req.method, route: routeOf(req), status: String(res.statusCode) };
        end(labels);
        this.requests.inc(labels);
      });
      next();
    };
  }

  /**
   * The counts by state: from the cache while younger than METRICS_CACHE_MS,
   * else one database count shared by every scrape waiting for it.
   */
  private countOnce(): Promise<OrderCounts | null> {
    const cached = this.cachedCount;
    if (cached && Date.now() - cached.at < this.config.metrics.cacheMs) return Promise.resolve(cached.counts);
    this.pendingCount ??= this.countByState()
      .then((counts) => {
        this.cachedCount = { at: Date.now(), counts };
        return counts;
      })
      .catch(() => null)
      .finally(() => (this.pendingCount = null));
    return this.pendingCount;
  }

  /** PostgreSQL cancels the count after SCRAPE_TIMEOUT_MS (SET LOCAL statement_timeout): nothing is left running. */
  private async countByState(): Promise<OrderCounts> {
    const rows = await this.dataSource.transaction(async (manager) => {
      await manager.query(`SET LOCAL statement_timeout = ${SCRAPE_TIMEOUT_MS}`);
      return (await manager.query(
        `SELECT state, count(*)::int AS n, (count(*) FILTER (WHERE late))::int AS late, (count(*) FILTER (WHERE refund_owed))::int AS owed
         FROM orders GROUP BY state`,
      )) as Array<{ state: string; n: number; late: number; owed: number }>;
    });
    return {
      byState: new Map(rows.map((r) => [r.state, Number(r.n)])),
      late: rows.reduce((sum, r) => sum + Number(r.late), 0),
      refundOwed: rows.reduce((sum, r) => sum + Number(r.owed), 0),
    };
  }

}

interface OrderCounts {
  byState: Map<string, number>;
  late: number;
  refundOwed: number;
}

/** The little of Express's request and response that the middleware reads. */
interface Request {
  method: string;
  baseUrl?: string;
  route?: unknown;
}
interface Response {
  statusCode: number;
  once(event: 'finish', listener: () => void): unknown;
}
type NextFunction = () => void;

/** The route template that served the request (`/orders/:id`), never the raw path. */
function routeOf(req: Request): string {
  const path = (req.route as { path?: unknown } | undefined)?.path;
  return typeof path === 'string' ? `${req.baseUrl ?? ''}${path}` : UNROUTED;
}
