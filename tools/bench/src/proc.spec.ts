import { spawn } from 'node:child_process';
import { machineBusySeconds, parseStat, readProcTable, readTrees, statusKb, treeOf, treeTicks } from './proc';

// A real line from /proc/<pid>/stat, with a command name holding a space and parentheses.
const line = (pid: number, ppid: number, utime: number, stime: number, cutime: number, cstime: number, comm = 'node') =>
  `${pid} (${comm}) S ${ppid} ${pid} ${pid} 0 -1 4194560 5000 0 0 0 ${utime} ${stime} ${cutime} ${cstime} 20 0 11 0 12345 1000000 20000 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0`;

describe('parseStat', () => {
  it('reads pid, parent and the CPU ticks of the process and its reaped children', () => {
    expect(parseStat(line(42, 7, 100, 20, 5, 1))).toEqual({ pid: 42, ppid: 7, ticks: 126 });
  });
  it('survives a command name with spaces and parentheses', () => {
    expect(parseStat(line(43, 1, 1, 2, 3, 4, 'postgres: (checkpointer) x'))).toEqual({ pid: 43, ppid: 1, ticks: 10 });
  });
  it('refuses a line it cannot read', () => {
    expect(() => parseStat('garbage')).toThrow(/no command name/);
  });
});

describe('process trees', () => {
  const table = [
    { pid: 1, ppid: 0, ticks: 1_000 },
    { pid: 10, ppid: 1, ticks: 50 }, // postmaster
    { pid: 11, ppid: 10, ticks: 7 }, // a backend
    { pid: 12, ppid: 10, ticks: 3 },
    { pid: 13, ppid: 12, ticks: 1 }, // grandchild
    { pid: 20, ppid: 1, ticks: 400 }, // someone else
  ];
  it('sums the root and every descendant, and nothing else', () => {
    expect(
      treeOf(10, table)
        .map((p) => p.pid)
        .sort(),
    ).toEqual([10, 11, 12, 13]);
    expect(treeTicks(10, table)).toBe(61);
  });
  it('is empty for a process that is gone', () => {
    expect(treeTicks(99, table)).toBe(0);
  });
});

describe('reading /proc', () => {
  it('counts the CPU of a child process in the tree of its parent', async () => {
    // A child that burns 300 ms of CPU (its own count, however busy the machine), then exits; the reading includes it.
    const before = readTrees({ me: process.pid }).me.cpuSeconds;
    const burn = 'const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e3; }; while (cpu() < 300);';
    const child = spawn(process.execPath, ['-e', burn]);
    const during = await new Promise<number>((resolve) => {
      child.once('spawn', () => resolve(readTrees({ me: process.pid }).me.rssKb));
    });
    await new Promise((resolve) => child.once('exit', resolve));
    const after = readTrees({ me: process.pid }).me.cpuSeconds;
    expect(after - before).toBeGreaterThanOrEqual(0.28);
    expect(during).toBeGreaterThan(statusKb(process.pid, 'VmRSS') - 1);
    expect(readProcTable().some((p) => p.pid === process.pid)).toBe(true);
    expect(readTrees({ none: null }).none).toEqual({ cpuSeconds: 0, rssKb: 0 });
  });
  it('reads the machine busy time from /proc/stat', () => {
    expect(machineBusySeconds('cpu  100 0 50 1000 10 0 0 0 0 0\ncpu0 1 2 3\n')).toBeCloseTo(150 / 100, 0);
    expect(machineBusySeconds()).toBeGreaterThan(0);
    expect(() => machineBusySeconds('intr 1 2 3')).toThrow(/no cpu line/);
  });
});
