import { freshSeed } from './random';
import { RETRY_MODES } from './run';
import type { RetryMode, RunOptions } from './run';

export const USAGE =
  'usage: test:invariants [--orders 300] [--modes seed,deadline] [--seed N] [--rate 3] [--settle-s 120] [--review-ms 2000] [--keep-logs]';

export type CliOptions = Omit<RunOptions, 'log'>;

export function parseArgs(argv: readonly string[]): CliOptions | { error: string } {
  const options: CliOptions = { orders: 300, modes: [...RETRY_MODES], seed: freshSeed(), rate: 3, settleMs: 120_000, reviewMs: 2_000, keepLogs: false };
  const number = (flag: string, value: string | undefined, min: number): number | { error: string } => {
    const n = Number(value);
    return value !== undefined && Number.isFinite(n) && n >= min ? n : { error: `${flag}: expected a number >= ${min}, got ${value ?? 'nothing'}` };
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i] as string;
    if (flag === '--keep-logs') {
      options.keepLogs = true;
      continue;
    }
    const value = argv[++i];
    if (flag === '--modes') {
      const modes = (value ?? '').split(',').filter(Boolean);
      const unknown = modes.find((m) => !(RETRY_MODES as readonly string[]).includes(m));
      if (unknown || modes.length === 0) return { error: `--modes: expected seed and/or deadline, got ${value ?? 'nothing'}` };
      options.modes = modes as RetryMode[];
      continue;
    }
    const limits: Record<string, [keyof CliOptions, number, number]> = {
      '--orders': ['orders', 1, 1],
      '--seed': ['seed', 0, 1],
      '--rate': ['rate', 0.1, 1],
      '--settle-s': ['settleMs', 1, 1_000],
      '--review-ms': ['reviewMs', 0, 1],
    };
    const limit = limits[flag];
    if (!limit) return { error: `unknown argument ${flag}` };
    const n = number(flag, value, limit[1]);
    if (typeof n === 'object') return n;
    if ((flag === '--orders' || flag === '--seed') && !Number.isInteger(n)) return { error: `${flag}: expected an integer, got ${value}` };
    (options[limit[0]] as number) = n * limit[2];
  }
  return options;
}
