import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** Polls `check` until it returns a truthy value or the deadline passes. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | null | false>,
  { timeoutMs = 60_000, intervalMs = 200 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      const why = lastError instanceof Error ? `: ${lastError.message}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${why}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * A TCP port that was free a moment ago. Chosen below the kernel's ephemeral
 * range (`ip_local_port_range`), where the outgoing connections of everything
 * running (the stack's own clients among them) take their local ports: a port
 * from that range can be taken by a connection between this check and the
 * server's listen (seen: the API failing with EADDRINUSE). Never the same port
 * twice from one process. Checked on every interface, as the apps listen.
 */
export async function freePort(): Promise<number> {
  const [low, high] = portRange();
  for (let tries = 0; tries < 200; tries++) {
    const port = low + Math.floor(Math.random() * (high - low));
    if (handedOut.has(port)) continue;
    if (await bindable(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error(`no free TCP port found between ${low} and ${high}`);
}

const handedOut = new Set<number>();

/** Ports to choose from: the 10 000 below the ephemeral range (Linux default 32768), or 20000-30000 when unknown. Read once. */
export function portRange(): [number, number] {
  range ??= readPortRange();
  return range;
}

let range: [number, number] | undefined;

function readPortRange(): [number, number] {
  try {
    const first = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    if (Number.isInteger(first) && first > 12_000) return [first - 10_000, first];
  } catch {
    // not Linux: the default below
  }
  return [20_000, 30_000];
}

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, () => server.close(() => resolve(true)));
  });
}

/** True when something accepts TCP connections on host:port. */
export function portOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const { connect } = require('node:net') as typeof import('node:net');
    const socket = connect({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
