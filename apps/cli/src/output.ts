/**
 * Where the CLI writes: human-readable text by default, JSON with --json.
 * Colour only when the stream is a terminal, never when NO_COLOR is set (any
 * non-empty value, https://no-color.org) or --no-color is given, never in JSON.
 */
export interface Stream {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

export interface Paint {
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
}

const ansi = (open: number, close: number) => (s: string) => `\u001b[${open}m${s}\u001b[${close}m`;
const COLOURS: Paint = {
  bold: ansi(1, 22),
  dim: ansi(2, 22),
  red: ansi(31, 39),
  green: ansi(32, 39),
  yellow: ansi(33, 39),
  cyan: ansi(36, 39),
};
const identity = (s: string) => s;
const PLAIN: Paint = { bold: identity, dim: identity, red: identity, green: identity, yellow: identity, cyan: identity };

export function wantsColour(stream: Stream, env: NodeJS.ProcessEnv, disabled: boolean): boolean {
  return !disabled && stream.isTTY === true && !env['NO_COLOR'] && env['TERM'] !== 'dumb';
}

export class Output {
  /** Colours for stdout. */
  readonly paint: Paint;
  private readonly errPaint: Paint;

  constructor(
    private readonly stdout: Stream,
    private readonly stderr: Stream,
    readonly json: boolean,
    env: NodeJS.ProcessEnv,
    noColour = false,
  ) {
    this.paint = !json && wantsColour(stdout, env, noColour) ? COLOURS : PLAIN;
    this.errPaint = !json && wantsColour(stderr, env, noColour) ? COLOURS : PLAIN;
  }

  line(text = ''): void {
    this.stdout.write(`${text}\n`);
  }

  /** A JSON document (pretty-printed) on stdout. */
  data(value: unknown): void {
    this.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  /** One JSON value per line (for streams such as `watch --json`). */
  record(value: unknown): void {
    this.stdout.write(`${JSON.stringify(value)}\n`);
  }

  /** An error for a human, or `{"error": …}` in JSON mode; always on stderr. */
  error(message: string, details: Record<string, unknown> = {}, lines: string[] = []): void {
    if (this.json) {
      this.stderr.write(`${JSON.stringify({ error: { message, ...details } })}\n`);
      return;
    }
    this.stderr.write(`${this.errPaint.red('error:')} ${message}\n`);
    for (const l of lines) this.stderr.write(`  ${l}\n`);
  }

  /** A hint on stderr (never in JSON mode). */
  hint(text: string): void {
    if (!this.json) this.stderr.write(`${this.errPaint.dim(text)}\n`);
  }

  /** Free text on stderr, for help printed after a usage error. */
  stderrText(text: string): void {
    this.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
  }
}

// --- text helpers -------------------------------------------------------------

// eslint-disable-next-line no-control-regex
const ANSI_PATTERN = /\u001b\[[0-9;]*m/g;
export const stripAnsi = (s: string): string => s.replace(ANSI_PATTERN, '');
export const visibleLength = (s: string): number => stripAnsi(s).length;

const padEnd = (s: string, width: number) => s + ' '.repeat(Math.max(0, width - visibleLength(s)));

/** Breaks plain text into lines of at most `width` characters, at spaces where it can. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    let current = '';
    for (const word of paragraph.split(/\s+/).filter(Boolean)) {
      let w = word;
      while (visibleLength(w) > width) {
        if (current) {
          lines.push(current);
          current = '';
        }
        lines.push(w.slice(0, width));
        w = w.slice(width);
      }
      if (!current) current = w;
      else if (visibleLength(current) + 1 + visibleLength(w) <= width) current += ` ${w}`;
      else {
        lines.push(current);
        current = w;
      }
    }
    lines.push(current);
  }
  return lines;
}

export interface TableOptions {
  /** Wrap a column's cells at this many characters (by column index). */
  maxWidths?: Record<number, number>;
  /** Format the header row. */
  header?: (s: string) => string;
}

/** A plain-text table: columns padded to their widest cell, two spaces apart. */
export function table(headers: string[], rows: string[][], options: TableOptions = {}): string[] {
  const maxWidths = options.maxWidths ?? {};
  const wrapped = rows.map((row) => row.map((cell, i) => (maxWidths[i] && visibleLength(cell) > maxWidths[i] ? wrap(cell, maxWidths[i]) : [cell])));
  const widths = headers.map((h, i) => Math.max(visibleLength(h), ...wrapped.map((row) => Math.max(0, ...(row[i] ?? ['']).map(visibleLength)))));
  const render = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : padEnd(c, widths[i] ?? 0))).join('  ').trimEnd();
  const head = options.header ?? identity;
  const out = [head(render(headers))];
  for (const row of wrapped) {
    const height = Math.max(...row.map((lines) => lines.length));
    for (let l = 0; l < height; l++) out.push(render(row.map((lines) => lines[l] ?? '')));
  }
  return out;
}

/** `12:03:04.567` in local time. */
export function clock(iso: string | number | Date): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
