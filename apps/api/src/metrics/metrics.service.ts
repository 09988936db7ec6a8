/**
 * Prometheus metrics of this API process, in a registry of its own.
 *
 * - `http_requests_total` and `http_request_duration_seconds` by method, route
 *   template (`/orders/:id`, never the raw URL, so cardinality stays bounded)
 *   and status. Requests that never reached a route (404s, bodies refused by
 *   the body parser) are labelled `route="<unrouted>"`.
 * - `orders_started_total`: orders this process started (201 on POST /orders).
 * - `orders{state}`: how many orders are in each state now, counted from the
 *   `orders` table at scrape time. The database is the one source every API
 *   replica and both workers agree on; terminal states only ever grow, so
 *   `delta(orders{state="completed"}[5m])` is the completion count per 5 min.
 * - `orders_scrape_success`: 1 when that count succeeded, 0 when the database
 *   did not answer (the other metrics are still served).
 * - Node.js process metrics (`process_*`, `nodejs_*`).
 */
import { Inject, Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { DataSource } from 'typeorm';
import { ORDER_STATES } from '@order-fulfillment/contracts';
import { DATA_SOURCE } from '../database/database.module';

export const UNROUTED = '<unrouted>';
const SCRAPE_TIMEOUT_MS = 2_000;

@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  private readonly requests: Counter<'method' | 'route' | 'status'>;
  private readonly duration: Histogram<'method' | 'route' | 'status'>;
  private readonly started: Counter;
  private pendingCount: Promise<Map<string, number> | null> | null = null;

  constructor(@Inject(DATA_SOURCE) private readonly dataSource: DataSource) {
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
        if (counts) for (const state of ORDER_STATES) this.set({ state }, counts.get(state) ?? 0);
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

  /** One database count per scrape, shared by the gauges that a scrape collects concurrently. */
  private countOnce(): Promise<Map<string, number> | null> {
    this.pendingCount ??= this.countByState()
      .catch(() => null)
      .finally(() => (this.pendingCount = null));
    return this.pendingCount;
  }

  private async countByState(): Promise<Map<string, number>> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), SCRAPE_TIMEOUT_MS)));
    try {
      const rows: Array<{ state: string; n: number }> = await Promise.race([
        this.dataSource.query('SELECT state, count(*)::int AS n FROM orders GROUP BY state'),
        timeout,
      ]);
      return new Map(rows.map((r) => [r.state, Number(r.n)]));
    } finally {
      clearTimeout(timer);
    }
  }
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
