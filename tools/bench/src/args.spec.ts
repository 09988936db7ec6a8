import { USAGE, parseArgs } from './args';

describe('parseArgs', () => {
  it('defaults to every step and variant, 20 s rungs 1/s apart near the capacities, stopping at the first miss; --quick shortens', () => {
    const full = parseArgs([]);
    expect(full.only).toEqual(['ladder', 'burst', 'reads', 'faults', 'overload', 'scale-out']);
    expect(full.scaleOut).toEqual({ orders: 12, carrierLatencyMs: 3_000, workerCounts: [1, 2, 4] });
    expect(full.variants).toEqual(['bare-remote', 'bare-local', 'default', 'seed', 'deadline']);
    expect(full.rates).toEqual([1, 2, 3, 4, 5, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 28, 32]);
    expect(full.startRate).toBe(10);
    expect(full.calibrateStart).toBe(true);
    expect(full.stepS).toBe(20);
    expect(full.afterMiss).toBe(0);
    expect(full.budgetS).toBe(260);
    const quick = parseArgs(['--quick']);
    expect(quick.quick).toBe(true);
    expect(quick.stepS).toBe(10);
    expect(quick.budgetS).toBeLessThan(full.budgetS);
    expect(quick.scaleOut.orders).toBeLessThan(full.scaleOut.orders);
    expect(parseArgs(['--only', 'scale-out', '--scale-out-orders', '20', '--carrier-ms', '1000']).scaleOut).toMatchObject({
      orders: 20,
      carrierLatencyMs: 1_000,
    });
    expect(() => parseArgs(['--carrier-ms', '0'])).toThrow(/--carrier-ms: must be a positive integer/);
  });
  it('selects steps and variants, sorts the rates', () => {
    const o = parseArgs([
      '--only',
      'ladder,faults',
      '--variants',
      'default,bare-local',
      '--rates',
      '4,2,3',
      '--step-s',
      '5',
      '--after-miss',
      '2',
      '--start',
      '3',
      '--budget-s',
      '500',
    ]);
    expect(o.only).toEqual(['ladder', 'faults']);
    expect(o.variants).toEqual(['default', 'bare-local']);
    expect(o.rates).toEqual([2, 3, 4]);
    expect(o.stepS).toBe(5);
    expect(o.afterMiss).toBe(2);
    expect(o.startRate).toBe(3);
    // A start given is kept: the warm-up does not move it.
    expect(o.calibrateStart).toBe(false);
    expect(o.budgetS).toBe(500);
    expect(parseArgs(['--after-miss', '0']).afterMiss).toBe(0);
  });
  it('shows the new defaults in USAGE', () => {
    expect(USAGE).toContain('--rates 1,2,3,4,5,6,8,10,12,14,16,18,20,22,24,28,32');
    expect(USAGE).toContain('--start 10');
    expect(USAGE).toContain('--step-s 20');
    expect(USAGE).toContain('--after-miss 0');
    expect(USAGE).toContain('--budget-s 260');
  });
  it('names the field and the reason for bad input', () => {
    expect(() => parseArgs(['--only', 'ladder,nap'])).toThrow('--only: unknown value "nap"');
    expect(() => parseArgs(['--rates', '2,-1'])).toThrow('--rates: must be a positive number, got "-1"');
    expect(() => parseArgs(['--burst', '2.5'])).toThrow('--burst: must be a positive integer');
    expect(() => parseArgs(['--after-miss', '-1'])).toThrow('--after-miss: must be a whole number');
    expect(() => parseArgs(['--step-s'])).toThrow('--step-s: needs a value');
    expect(() => parseArgs(['--frobnicate', '1'])).toThrow('unknown argument --frobnicate');
  });
});
