/**
 * CPU and memory of process trees, from Linux's /proc: a process's own CPU
 * (utime + stime) plus what its reaped children used (cutime + cstime), summed
 * over the live tree, so PostgreSQL's short-lived backends and a launcher's
 * child (the Temporal CLI runs the server) are counted.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

export interface ProcStat {
  pid: number;
  ppid: number;
  /** utime + stime + cutime + cstime, in clock ticks. */
  ticks: number;
}

/** Parses one /proc/<pid>/stat line; the command name may hold spaces and parentheses. */
export function parseStat(text: string): ProcStat {
  const close = text.lastIndexOf(')');
  if (close < 0) throw new Error(`/proc stat: no command name in ${JSON.stringify(text.slice(0, 80))}`);
  const pid = Number(text.slice(0, text.indexOf('(')).trim());
  // Fields after the name, numbered as in proc(5) from 3 (state).
  const rest = text
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  const field = (n: number): number => Number(rest[n - 3]);
  const ppid = field(4);
  const ticks = field(14) + field(15) + field(16) + field(17);
  if (!Number.isFinite(pid) || !Number.isFinite(ppid) || !Number.isFinite(ticks))
    throw new Error(`/proc stat: unreadable line ${JSON.stringify(text.slice(0, 80))}`);
  return { pid, ppid, ticks };
}

/** The root and every descendant of it in `table`. */
export function treeOf(root: number, table: readonly ProcStat[]): ProcStat[] {
  const children = new Map<number, ProcStat[]>();
  for (const p of table) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  const rootStat = table.find((p) => p.pid === root);
  if (!rootStat) return [];
  const tree: ProcStat[] = [];
  const queue = [rootStat];
  while (queue.length) {
    const p = queue.shift() as ProcStat;
    tree.push(p);
    queue.push(...(children.get(p.pid) ?? []));
  }
  return tree;
}

export const treeTicks = (root: number, table: readonly ProcStat[]): number => treeOf(root, table).reduce((sum, p) => sum + p.ticks, 0);

/** Every process now (processes that exit while being read are skipped). */
export function readProcTable(): ProcStat[] {
  const table: ProcStat[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      table.push(parseStat(readFileSync(`/proc/${entry}/stat`, 'utf8')));
    } catch {
      // gone
    }
  }
  return table;
}

/** A value in kB from /proc/<pid>/status (VmRSS, VmHWM); 0 when the process is gone. */
export function statusKb(pid: number, key: 'VmRSS' | 'VmHWM'): number {
  try {
    const match = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

let clockTicks: number | null = null;
/** Clock ticks per second (getconf CLK_TCK; 100 on Linux when it cannot be asked). */
export function ticksPerSecond(): number {
  if (clockTicks === null) {
    try {
      clockTicks =
        Number(
          execFileSync('getconf', ['CLK_TCK'], { stdio: ['ignore', 'pipe', 'ignore'] })
            .toString()
            .trim(),
        ) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

export interface TreeReading {
  cpuSeconds: number;
  /** Sum of the tree's resident memory, kB. */
  rssKb: number;
}

/** Reads each named root's tree now (a null root reads as nothing). */
export function readTrees<N extends string>(roots: Record<N, number | null>): Record<N, TreeReading> {
  const table = readProcTable();
  const hz = ticksPerSecond();
  const out = {} as Record<N, TreeReading>;
  for (const name of Object.keys(roots) as N[]) {
    const root = roots[name];
    const tree = root === null ? [] : treeOf(root, table);
    out[name] = {
      cpuSeconds: tree.reduce((sum, p) => sum + p.ticks, 0) / hz,
      rssKb: tree.reduce((sum, p) => sum + statusKb(p.pid, 'VmRSS'), 0),
    };
  }
  return out;
}

export interface ProcessUsage {
  /** CPU seconds the tree used over the window. */
  cpuSeconds: number;
  /** The highest sum of the tree's resident memory seen while sampling, MB. */
  peakRssMb: number;
}

/**
 * Samples process trees (every `intervalMs`) between start and stop: CPU is
 * the difference of the two readings, peak RSS the largest sampled sum.
 */
export class UsageSampler<N extends string> {
  private first: Record<N, TreeReading> | null = null;
  private peak = new Map<N, number>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly roots: () => Record<N, number | null>,
    private readonly intervalMs = 1_000,
  ) {}

  start(): void {
    this.first = this.read();
    this.timer = setInterval(() => this.read(), this.intervalMs);
    this.timer.unref();
  }

  stop(): Record<N, ProcessUsage> {
    if (this.timer) clearInterval(this.timer);
    const last = this.read();
    const first = this.first ?? last;
    const out = {} as Record<N, ProcessUsage>;
    for (const name of Object.keys(last) as N[]) {
      out[name] = {
        cpuSeconds: Math.round(Math.max(0, last[name].cpuSeconds - (first[name]?.cpuSeconds ?? 0)) * 100) / 100,
        peakRssMb: Math.round((this.peak.get(name) ?? 0) / 1024),
      };
    }
    return out;
  }

  private read(): Record<N, TreeReading> {
    const reading = readTrees(this.roots());
    for (const name of Object.keys(reading) as N[]) this.peak.set(name, Math.max(this.peak.get(name) ?? 0, reading[name].rssKb));
    return reading;
  }
}

/** CPU seconds the whole machine spent busy (all cores, everything but idle and iowait) since boot, from /proc/stat. */
export function machineBusySeconds(statText: string = readFileSync('/proc/stat', 'utf8')): number {
  const line = statText.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) throw new Error('/proc/stat: no cpu line');
  const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  return ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) / ticksPerSecond();
}
