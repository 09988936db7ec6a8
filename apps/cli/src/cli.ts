/**
 * The `order` command: parses the line, runs one verb against the API, and
 * turns every outcome into an exit code and a message a person can act on.
 * No stack trace ever reaches the user.
 */
import { setMaxListeners } from 'node:events';
import { ApiClient, ApiError, DEFAULT_API_URL, NetworkError } from './api';
import { UsageError, findVerb, parseCommand, stringOption } from './args';
import type { Verb } from './commands/context';
import { approve, cancel, describe, events, list, startWorkflow, status, updateAddress } from './commands/orders';
import { watch } from './commands/watch';
import { demo } from './demo/demo';
import { EXIT, exitCodeForStatus } from './exit-codes';
import { mainHelp, usageHint, verbHelp } from './help';
import { Output, Stream } from './output';

export const VERSION = '0.1.0';

export const VERBS: Verb[] = [startWorkflow, status, cancel, updateAddress, approve, describe, events, list, watch, demo];
const BY_NAME = new Map(VERBS.map((v) => [v.name, v]));

export interface RunContext {
  env: NodeJS.ProcessEnv;
  stdout: Stream;
  stderr: Stream;
  /** Aborted on Ctrl-C. */
  signal?: AbortSignal;
}

export async function run(argv: string[], io: RunContext): Promise<number> {
  const signal = io.signal ?? new AbortController().signal;
  // Every in-flight request listens to Ctrl-C; the demo has dozens at once.
  setMaxListeners(0, signal);
  const wantsJson = argv.includes('--json');
  const plain = new Output(io.stdout, io.stderr, wantsJson, io.env, argv.includes('--no-color'));

  if (findVerb(argv).verb === null && argv.includes('--version')) {
    io.stdout.write(`${VERSION}\n`);
    return EXIT.ok;
  }
  let parsed;
  try {
    parsed = parseCommand(argv, BY_NAME);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    plain.error(err.message, { exitCode: EXIT.usage });
    plain.hint(usageHint(err.verb ? BY_NAME.get(err.verb) : undefined));
    return EXIT.usage;
  }
  const { verb: verbName, values, positionals } = parsed;
  const verb = verbName ? BY_NAME.get(verbName) : undefined;
  if (values['help']) {
    io.stdout.write(`${verb ? verbHelp(verb) : mainHelp(VERBS)}\n`);
    return EXIT.ok;
  }
  if (!verb) {
    plain.error('no command given');
    plain.stderrText(mainHelp(VERBS));
    return EXIT.usage;
  }

  const out = new Output(io.stdout, io.stderr, values['json'] === true, io.env, values['no-color'] === true);
  const baseUrl = stringOption(values, 'api') ?? (io.env['ORDER_API_URL'] || DEFAULT_API_URL);
  if (!isHttpUrl(baseUrl)) {
    out.error(`--api / ORDER_API_URL must be an http(s) URL (got "${baseUrl}")`, { exitCode: EXIT.usage });
    return EXIT.usage;
  }
  const api = new ApiClient({
    baseUrl,
    apiKey: io.env['API_KEY'],
    signal,
    // Visible on stderr in every mode (stdout stays clean JSON with --json).
    onBusy: (w) => out.stderrText(`order ${w.orderId}: the API is busy (${w.status}: ${w.message}); sending the same request again in ${w.seconds} s`),
  });

  try {
    return await verb.run({ api, out, values, positionals, signal, env: io.env });
  } catch (err) {
    return report(err, out, verb, signal);
  }
}

function report(err: unknown, out: Output, verb: Verb, signal: AbortSignal): number {
  if (signal.aborted) {
    out.error('interrupted', { exitCode: EXIT.interrupted });
    return EXIT.interrupted;
  }
  if (err instanceof UsageError) {
    out.error(err.message, { exitCode: EXIT.usage });
    out.hint(usageHint(verb));
    return EXIT.usage;
  }
  if (err instanceof ApiError) {
    const code = exitCodeForStatus(err.status);
    out.error(
      err.message,
      { status: err.status, exitCode: code, ...(err.errors.length ? { errors: err.errors } : {}) },
      err.errors.map((e) => `${e.field}: ${e.reason}`),
    );
    return code;
  }
  if (err instanceof NetworkError) {
    out.error(err.message, { url: err.url, exitCode: EXIT.failure });
    out.hint('set --api or ORDER_API_URL to point at the API');
    return EXIT.failure;
  }
  out.error(`unexpected error: ${err instanceof Error ? err.message : String(err)}`, { exitCode: EXIT.failure });
  return EXIT.failure;
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
