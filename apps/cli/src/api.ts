/**
 * The REST API, as the CLI sees it: Node's fetch, JSON in and out, the API key
 * as a bearer token, and errors turned into values the CLI can explain.
 */
import type { Address, FaultPlan, MessageAccepted, OrderItem, OrderState, OrderStatus, RetryMode } from '@order-fulfillment/contracts';
import { pause } from './commands/context';

export const DEFAULT_API_URL = 'http://localhost:8000';
const REQUEST_TIMEOUT_MS = 10_000;

/** GET /orders/:id: the live status plus where it came from. */
export interface OrderView extends OrderStatus {
  source: 'workflow' | 'database';
  createdAt: string | null;
  updatedAt: string | null;
}

export interface OrderCreated {
  orderId: string;
  workflowId: string;
  runId: string;
  state: OrderState;
}

export interface CreateOrderBody {
  orderId: string;
  paymentId: string;
  items?: OrderItem[];
  address?: Address;
  faults?: FaultPlan;
  /** This order's retry mode instead of the API's (only when the API allows fault injection). */
  retryMode?: RetryMode;
}

export interface OrderEvent {
  id: number;
  type: string;
  payload: Record<string, unknown>;
  ts: string;
}

export interface OrderSummary {
  orderId: string;
  state: OrderState;
  paymentId: string;
  items: OrderItem[];
  address: Address | null;
  createdAt: string;
  updatedAt: string;
}

export interface OrderPage {
  orders: OrderSummary[];
  nextCursor: string | null;
}

export interface WorkflowDescription {
  workflowId: string;
  runId: string;
  type: string;
  status: string;
  taskQueue: string;
  startTime: string;
  closeTime: string | null;
  historyLength: number;
  pendingActivities: Array<{
    activityId: string;
    activityType: string | null;
    state: unknown;
    attempt: number;
    maximumAttempts: number;
    lastFailure: string | null;
  }>;
  pendingChildren: Array<{ workflowId: string; runId: string; type: string }>;
}

export interface FieldError {
  field: string;
  reason: string;
}

/** The API answered with an error status; `message` is the API's own words. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errors: FieldError[],
    /** Seconds the API asked to wait before retrying (Retry-After on 429 and 503). */
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  static fromResponse(status: number, body: unknown, retryAfter?: string | null): ApiError {
    const record = body && typeof body === 'object' ? (body as Record<string, unknown>) : {};
    const errors = Array.isArray(record['errors'])
      ? (record['errors'] as unknown[])
          .filter((e): e is Record<string, unknown> => !!e && typeof e === 'object')
          .map((e) => ({ field: String(e['field'] ?? ''), reason: String(e['reason'] ?? '') }))
      : [];
    const raw = record['message'];
    let message = Array.isArray(raw) ? raw.map(String).join('; ') : typeof raw === 'string' ? raw : '';
    if (!message && typeof body === 'string' && body.trim()) message = body.trim().slice(0, 300);
    if (!message) message = `HTTP ${status}`;
    if (status === 401) message = `${message} (the API needs a key: set API_KEY)`;
    const seconds = retryAfter && /^\d+$/.test(retryAfter.trim()) ? Number(retryAfter) : null;
    if (seconds !== null && !message.includes('try again in')) message = `${message} (the API asks to retry in ${seconds} s)`;
    return new ApiError(status, message, errors, seconds);
  }
}

/** The API could not be reached at all. */
export class NetworkError extends Error {
  constructor(
    readonly url: string,
    readonly reason: string,
  ) {
    super(`cannot reach the order API at ${url}: ${reason}`);
    this.name = 'NetworkError';
  }
}

export interface ApiClientOptions {
  baseUrl: string;
  apiKey?: string | null;
  timeoutMs?: number;
  /** Aborts every request (Ctrl-C). */
  signal?: AbortSignal;
  /** Longest POST /orders waits in all for a busy API (503/429 with Retry-After) before giving up, ms; default 60 s. */
  busyWaitMs?: number;
  /** Told before each wait on a busy API, so the wait is visible. */
  onBusy?: (wait: BusyWait) => void;
}

/** The API said "not now" to POST /orders; the same request is sent again after `seconds`. */
export interface BusyWait {
  orderId: string;
  status: number;
  seconds: number;
  /** The API's own words. */
  message: string;
  /** Retries so far, this one included. */
  attempt: number;
}

/** Longest single wait honoured, whatever Retry-After says (s). */
const MAX_RETRY_AFTER_S = 30;

export class ApiClient {
  readonly baseUrl: string;
  private readonly apiKey: string | null;
  private readonly timeoutMs: number;
  private readonly signal: AbortSignal | undefined;
  private readonly busyWaitMs: number;
  private readonly onBusy: ((wait: BusyWait) => void) | undefined;

  constructor(options: ApiClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.apiKey = options.apiKey || null;
    this.timeoutMs = options.timeoutMs ?? REQUEST_TIMEOUT_MS;
    this.signal = options.signal;
    this.busyWaitMs = options.busyWaitMs ?? 60_000;
    this.onBusy = options.onBusy;
  }

  /**
   * POST /orders. While the API answers 503 or 429 with Retry-After (at
   * capacity, a dependency down, the rate limit), waits as asked (at most
   * 30 s at a time, `busyWaitMs` in all) and sends the same request again:
   * the orderId makes that safe (an order already started answers 200).
   */
  async createOrder(body: CreateOrderBody): Promise<OrderCreated> {
    const giveUpAt = Date.now() + this.busyWaitMs;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.request<OrderCreated>('POST', '/orders', body);
      } catch (err) {
        const busy = err instanceof ApiError && (err.status === 503 || err.status === 429) && err.retryAfterSeconds !== null;
        if (!busy) throw err;
        const seconds = Math.min(MAX_RETRY_AFTER_S, Math.max(1, err.retryAfterSeconds ?? 1));
        if (Date.now() + seconds * 1000 > giveUpAt) throw err;
        this.onBusy?.({ orderId: body.orderId, status: err.status, seconds, message: err.message, attempt });
        await pause(seconds * 1000, this.signal);
      }
    }
  }
  getOrder(orderId: string): Promise<OrderView> {
    return this.request('GET', `/orders/${encodeURIComponent(orderId)}`);
  }
  listOrders(query: { state?: string; limit?: number; cursor?: string }): Promise<OrderPage> {
    const params = new URLSearchParams();
    if (query.state) params.set('state', query.state);
    if (query.limit !== undefined) params.set('limit', String(query.limit));
    if (query.cursor) params.set('cursor', query.cursor);
    const qs = params.toString();
    return this.request('GET', `/orders${qs ? `?${qs}` : ''}`);
  }
  cancel(orderId: string, reason?: string): Promise<MessageAccepted> {
    return this.request('POST', `/orders/${encodeURIComponent(orderId)}/cancel`, reason ? { reason } : {});
  }
  updateAddress(orderId: string, address: Address): Promise<MessageAccepted> {
    return this.request('PUT', `/orders/${encodeURIComponent(orderId)}/address`, address);
  }
  approve(orderId: string, by?: string): Promise<MessageAccepted> {
    return this.request('POST', `/orders/${encodeURIComponent(orderId)}/approve`, by ? { by } : {});
  }
  events(orderId: string): Promise<OrderEvent[]> {
    return this.request('GET', `/orders/${encodeURIComponent(orderId)}/events`);
  }
  describe(orderId: string): Promise<WorkflowDescription> {
    return this.request('GET', `/orders/${encodeURIComponent(orderId)}/describe`);
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const url = `${this.baseUrl}${path}`;
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'order-cli' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.apiKey) headers['authorization'] = `Bearer ${this.apiKey}`;
    const timeout = AbortSignal.timeout(this.timeoutMs);
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: this.signal ? AbortSignal.any([this.signal, timeout]) : timeout,
      });
    } catch (err) {
      if (this.signal?.aborted) throw this.signal.reason ?? err;
      throw new NetworkError(this.baseUrl, timeout.aborted ? `no answer within ${this.timeoutMs / 1000} s` : networkReason(err));
    }
    let text: string;
    try {
      text = await response.text();
    } catch (err) {
      if (this.signal?.aborted) throw this.signal.reason ?? err;
      throw new NetworkError(this.baseUrl, `the response broke off (${networkReason(err)})`);
    }
    let parsed: unknown = text;
    if (text) {
      try {
        parsed = JSON.parse(text);
      } catch {
        // not JSON: keep the text
      }
    }
    if (!response.ok) throw ApiError.fromResponse(response.status, parsed, response.headers.get('retry-after'));
    return parsed as T;
  }
}

/** The most useful words from a failed fetch (undici puts the OS error in `cause`). */
export function networkReason(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } } | null)?.cause;
  const code = cause?.code;
  if (code === 'ECONNREFUSED') return 'connection refused (is the stack up? ./scripts/quick-start.sh starts it)';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host not found';
  if (code === 'ECONNRESET') return 'connection reset';
  if (code === 'ETIMEDOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') return 'connection timed out';
  return cause?.message ?? (err instanceof Error ? err.message : String(err));
}
