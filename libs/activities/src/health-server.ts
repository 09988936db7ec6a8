/**
 * A worker has no HTTP API, so Kubernetes and compose cannot ask it whether it
 * is healthy. When WORKER_HEALTH_PORT is set, the worker answers two plain GETs:
 *
 * - `/health/live`: 200 unless the worker has failed (a draining worker is
 *   still alive, so it is not killed while it finishes in-flight tasks);
 * - `/health/ready`: 200 only while the worker polls its task queue (RUNNING).
 *
 * Nothing else is served; the port is never exposed by a Service.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';

export type WorkerStateName = 'INITIALIZED' | 'RUNNING' | 'STOPPED' | 'STOPPING' | 'DRAINING' | 'DRAINED' | 'FAILED';

export interface HealthServer {
  port: number;
  close(): Promise<void>;
}

export function healthStatus(path: string, state: WorkerStateName): number {
  if (path === '/health/live') return state === 'FAILED' ? 503 : 200;
  if (path === '/health/ready') return state === 'RUNNING' ? 200 : 503;
  return 404;
}

/** Listens on `port` (0 picks one) on all interfaces, reporting `state()`. */
export async function startHealthServer(port: number, state: () => WorkerStateName, host = '0.0.0.0'): Promise<HealthServer> {
  const server: Server = createServer((req, res) => {
    const current = state();
    const status = req.method === 'GET' ? healthStatus((req.url ?? '').split('?')[0], current) : 405;
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status: status === 200 ? 'ok' : 'error', state: current }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
