import { healthStatus, startHealthServer } from './health-server';
import type { WorkerStateName } from './health-server';

describe('worker health', () => {
  it.each<[WorkerStateName, number, number]>([
    ['INITIALIZED', 200, 503],
    ['RUNNING', 200, 200],
    ['DRAINING', 200, 503],
    ['STOPPING', 200, 503],
    ['STOPPED', 200, 503],
    ['FAILED', 503, 503],
  ])('a %s worker is live=%i ready=%i', (state, live, ready) => {
    expect(healthStatus('/health/live', state)).toBe(live);
    expect(healthStatus('/health/ready', state)).toBe(ready);
  });

  it('serves the live state over HTTP and nothing else', async () => {
    let state: WorkerStateName = 'INITIALIZED';
    const server = await startHealthServer(0, () => state, '127.0.0.1');
    const get = async (path: string, method = 'GET') => {
      const response = await fetch(`http://127.0.0.1:${server.port}${path}`, { method });
      return { status: response.status, body: await response.json() };
    };
    try {
      expect(await get('/health/ready')).toEqual({ status: 503, body: { status: 'error', state: 'INITIALIZED' } });
      state = 'RUNNING';
      expect(await get('/health/ready?probe=1')).toEqual({ status: 200, body: { status: 'ok', state: 'RUNNING' } });
      expect((await get('/health/live')).status).toBe(200);
      expect((await get('/metrics')).status).toBe(404);
      expect((await get('/health/live', 'POST')).status).toBe(405);
    } finally {
      await server.close();
    }
  });
});
