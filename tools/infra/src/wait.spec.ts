import { createServer } from 'node:net';
import { freePort, portRange } from './wait';

describe('freePort', () => {
  it('hands out distinct ports below the ephemeral range, each one a server can listen on', async () => {
    const [low, high] = portRange();
    const ports = await Promise.all(Array.from({ length: 20 }, () => freePort()));
    expect(new Set(ports).size).toBe(ports.length);
    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(low);
      expect(port).toBeLessThan(high);
    }
    // Listening on every interface, as the apps do.
    const server = createServer();
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(ports[0], () => resolve()));
    await new Promise((resolve) => server.close(resolve));
  });

  it('keeps clear of the kernel ephemeral range, where outgoing connections take their ports', () => {
    const [, high] = portRange();
    const first = Number(require('node:fs').readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    expect(high).toBeLessThanOrEqual(first);
  });
});
