/**
 * Command-line parsing on Node's own `util.parseArgs`: the verb is the first
 * word that is not an option; global options may come before or after it.
 * Every mistake is a UsageError (exit 2) that names the problem.
 */
import { parseArgs } from 'node:util';

export interface OptionSpec {
  name: string;
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  /** Placeholder shown in help, e.g. `<url>`. */
  value?: string;
  description: string;
}

export interface VerbSpec {
  name: string;
  summary: string;
  /** Required positionals, in order, e.g. ['orderId', 'paymentId']. */
  positionals: string[];
  options: OptionSpec[];
  /** Paragraphs shown in the verb's help after the usage line. */
  details?: string[];
  examples: string[];
}

export class UsageError extends Error {
  constructor(
    message: string,
    /** The verb whose help to point at, when known. */
    readonly verb?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

export const GLOBAL_OPTIONS: OptionSpec[] = [
  { name: 'api', type: 'string', value: '<url>', description: 'API base URL (env ORDER_API_URL; default http://localhost:8000)' },
  { name: 'json', type: 'boolean', description: 'machine-readable JSON on stdout (errors as JSON on stderr)' },
  { name: 'no-color', type: 'boolean', description: 'no colours (also when NO_COLOR is set or stdout is not a terminal)' },
  { name: 'help', short: 'h', type: 'boolean', description: 'show help' },
];

export type Values = Record<string, string | boolean | string[] | undefined>;

export interface ParsedCommand {
  verb: string | null;
  values: Values;
  positionals: string[];
}

type ParseArgsOptions = NonNullable<Parameters<typeof parseArgs>[0]>['options'];

function toParseArgsOptions(specs: OptionSpec[]): ParseArgsOptions {
  const options: ParseArgsOptions = {};
  for (const spec of specs) {
    options[spec.name] = { type: spec.type, ...(spec.short ? { short: spec.short } : {}), ...(spec.multiple ? { multiple: true } : {}) };
  }
  return options;
}

/** Global options that take a value, so the value is not mistaken for the verb. */
const GLOBAL_WITH_VALUE = new Set(GLOBAL_OPTIONS.filter((o) => o.type === 'string').map((o) => `--${o.name}`));

/** Finds the verb: the first argument that is neither an option nor a global option's value. */
export function findVerb(argv: string[]): { verb: string | null; rest: string[] } {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') break;
    if (arg.startsWith('-')) {
      if (GLOBAL_WITH_VALUE.has(arg)) i++;
      continue;
    }
    return { verb: arg, rest: [...argv.slice(0, i), ...argv.slice(i + 1)] };
  }
  return { verb: null, rest: argv };
}

/** Parses the arguments of one verb (or of no verb, when `spec` is null). */
export function parseCommand(argv: string[], specs: Map<string, VerbSpec>): ParsedCommand {
  const { verb, rest } = findVerb(argv);
  const spec = verb === null ? null : specs.get(verb);
  if (verb !== null && !spec) {
    const guess = closest(verb, [...specs.keys()]);
    throw new UsageError(`unknown command "${verb}"${guess ? `; did you mean "${guess}"?` : ''}`);
  }
  const optionSpecs = [...GLOBAL_OPTIONS, ...(spec?.options ?? [])];
  let parsed: { values: Values; positionals: string[] };
  try {
    parsed = parseArgs({ args: rest, options: toParseArgsOptions(optionSpecs), allowPositionals: true, strict: true }) as typeof parsed;
  } catch (err) {
    throw new UsageError(parseArgsMessage(err), verb ?? undefined);
  }
  const { values, positionals } = parsed;
  if (spec && !values['help']) {
    const missing = spec.positionals.slice(positionals.length);
    if (missing.length) throw new UsageError(`missing ${missing.map((m) => `<${m}>`).join(' ')}`, spec.name);
    if (positionals.length > spec.positionals.length) {
      throw new UsageError(`unexpected argument "${positionals[spec.positionals.length]}"`, spec.name);
    }
  }
  if (!spec && positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  return { verb: spec?.name ?? null, values, positionals };
}

/** parseArgs explains itself at length; keep its first sentence. */
function parseArgsMessage(err: unknown): string {
  const message = (err instanceof Error ? err.message : String(err)).replace(/^\w*Error \[\w+\]: /, '');
  const first = message.split(/\.\s/)[0] ?? message;
  return first.replace(/\.$/, '').replace(/^Unknown option/, 'unknown option').replace(/^Option/, 'option');
}

function closest(word: string, candidates: string[]): string | null {
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = distance(word, c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : null;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j] as number;
      row[j] = Math.min((row[j] as number) + 1, (row[j - 1] as number) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length] as number;
}

// --- typed accessors for option values ------------------------------------------

export function stringOption(values: Values, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

export function listOption(values: Values, name: string): string[] {
  const v = values[name];
  return Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
}

export function intOption(values: Values, name: string, verb: string, range: { min: number; max: number }): number | undefined {
  const raw = stringOption(values, name);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!/^-?\d+$/.test(raw.trim()) || !Number.isSafeInteger(n) || n < range.min || n > range.max) {
    throw new UsageError(`--${name} must be an integer from ${range.min} to ${range.max} (got "${raw}")`, verb);
  }
  return n;
}
