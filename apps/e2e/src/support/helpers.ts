import { Client } from 'pg';

export const apiUrl = (): string => required('E2E_API_URL');
export const databaseUrl = (): string => required('E2E_DATABASE_URL');
export const temporalAddress = (): string => required('E2E_TEMPORAL_ADDRESS');
export const logsDir = (): string => required('E2E_LOGS');

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: the e2e global setup did not run`);
  return value;
}

export interface HttpResult<T = any> {
  status: number;
  body: T;
}

/** `body` is sent as JSON; a string is sent as is (to send malformed JSON). */
export async function http<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<HttpResult<T> & { headers: Headers }> {
  return httpAt<T>(apiUrl(), method, path, body, headers);
}

/** Like {@link http}, against another API (for example one started by {@link startApi}). */
export async function httpAt<T = any>(base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<HttpResult<T> & { headers: Headers }> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body: parsed as T, headers: response.headers };
}

/** Polls `GET /orders/:id` until `predicate` holds or the deadline passes. */
export async function waitForOrder(orderId: string, predicate: (order: any) => boolean, timeoutMs = 20_000, base = apiUrl()): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  let last: HttpResult | undefined;
  while (Date.now() < deadline) {
    last = await httpAt(base, 'GET', `/orders/${orderId}`);
    if (last.status === 200 && predicate(last.body)) return last.body;
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  throw new Error(`order ${orderId} did not reach the expected state in ${timeoutMs} ms; last: ${JSON.stringify(last)}`);
}

export async function sql<T = any>(query: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: databaseUrl() });
  await client.connect();
  try {
    return (await client.query(query, params)).rows as T[];
  } finally {
    await client.end();
  }
}

export const uniqueId = (prefix: string): string => `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
