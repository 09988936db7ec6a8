/**
 * The scale-out step alone: `node tools/bench/dist/scale-out-cli.js [--workers 1,2,4] [--orders 16] [--carrier-ms 3000]`.
 * Prints a line per worker count and writes bench/results/scale-out.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@order-fulfillment/infra';
import { runScaleOut } from './scale-out';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? '') : fallback;
}

function positive(name: string, raw: string): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    console.error(`scale-out: --${name}: "${raw}" is not a positive integer`);
    process.exit(2);
  }
  return value;
}

async function main(): Promise<void> {
  const workerCounts = option('workers', '1,2,4').split(',').map((w) => positive('workers', w));
  const orders = positive('orders', option('orders', '16'));
  const carrierLatencyMs = positive('carrier-ms', option('carrier-ms', '3000'));
  const result = await runScaleOut({ workerCounts, orders, carrierLatencyMs, log: (line) => console.log(line) });
  const dir = join(repoRoot(), 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'scale-out.json'), `${JSON.stringify({ date: new Date().toISOString(), ...result }, null, 2)}\n`);
  console.log(`scale-out: throughput ${result.runs.map((r) => `${r.workers}w ${r.shippingPerSecond}/s`).join(', ')}; ratio ${result.ratio}`);
}

main().catch((err: unknown) => {
  console.error(`scale-out: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(1);
});
