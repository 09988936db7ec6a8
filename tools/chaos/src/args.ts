/**
 * The chaos CLI's arguments. Every flag is known or refused: a run starts a
 * stack per fault and takes minutes, so a mistyped flag (or `--help`) must not
 * start the default run in its place.
 */
import { freshSeed } from '@order-fulfillment/invariants';
import { FAULTS } from './run';

export const ALL_FAULTS = [...FAULTS, 'shipping-scale-in'] as const;
export type AnyFault = (typeof ALL_FAULTS)[number];

export const USAGE = `usage: npm run test:chaos -- [--faults ${ALL_FAULTS.join(',')}] [--orders 130] [--in-flight 100] [--rate 40] [--seed N] [--deadline-ms 60000]`;

export interface ChaosCliOptions {
  faults: AnyFault[];
  /** Orders per fault. */
  orders: number;
  /** Orders in flight when the fault is injected. */
  inFlight: number;
  /** Orders per second while they are posted. */
  rate: number;
  seed: number;
  /** The orders' deadline (ORDER_DEADLINE_MS): long enough to outlast the faults. */
  deadlineMs: number;
}

type NumericOption = Exclude<keyof ChaosCliOptions, 'faults'>;

const NUMBERS: Record<string, NumericOption> = {
  '--orders': 'orders',
  '--in-flight': 'inFlight',
  '--rate': 'rate',
  '--seed': 'seed',
  '--deadline-ms': 'deadlineMs',
};

/** The options, `help` when asked for the usage, or the first problem, naming the flag. */
export function parseChaosArgs(argv: readonly string[]): ChaosCliOptions | { help: true } | { error: string } {
  if (argv.includes('--help') || argv.includes('-h')) return { help: true };
  const options: ChaosCliOptions = { faults: [...ALL_FAULTS], orders: 130, inFlight: 100, rate: 40, seed: freshSeed(), deadlineMs: 60_000 };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i] as string;
    const value = argv[i + 1];
    if (flag !== '--faults' && !(flag in NUMBERS)) return { error: `unknown argument ${flag}` };
    if (value === undefined || value.startsWith('--')) return { error: `${flag}: needs a value` };
    i++;
    if (flag === '--faults') {
      const chosen = value.split(',').filter(Boolean);
      const unknown = chosen.filter((f) => !(ALL_FAULTS as readonly string[]).includes(f));
      if (unknown.length || !chosen.length)
        return { error: `--faults: unknown fault(s) ${unknown.join(', ') || '(none given)'}; known: ${ALL_FAULTS.join(', ')}` };
      options.faults = chosen as AnyFault[];
      continue;
    }
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) return { error: `${flag}: "${value}" is not a positive integer` };
    options[NUMBERS[flag] as NumericOption] = n;
  }
  return options;
}
