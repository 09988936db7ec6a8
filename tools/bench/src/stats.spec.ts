import { percentile, share } from './stats';

describe('percentile (nearest rank)', () => {
  it('picks the value at the rank', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 95)).toBe(95);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 100)).toBe(100);
  });
  it('handles small and empty lists', () => {
    expect(percentile([], 50)).toBeNull();
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([3, 1, 2], 50)).toBe(2);
  });
  it('share rounds to four places and survives zero', () => {
    expect(share(199, 200)).toBe(0.995);
    expect(share(1, 3)).toBe(0.3333);
    expect(share(0, 0)).toBe(0);
  });
});
