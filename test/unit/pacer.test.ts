import { describe, expect, it } from 'vitest';
import { Pacer } from '../../src/lark/pacer.js';

/** The largest number of slots in any one-second window. */
function maxPerSecond(slots: number[]): number {
  const s = [...slots].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < s.length; i++) {
    while (s[i]! - s[j]! >= 1000) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

describe('Pacer', () => {
  it('lets a burst to one user through at 5 per second, no faster', () => {
    const p = new Pacer({ appPerSecond: 50, perTargetPerSecond: 5 });
    const slots = Array.from({ length: 20 }, () => p.reserve('ou_a', 0));
    expect(slots.slice(0, 5)).toEqual([0, 0, 0, 0, 0]);
    expect(maxPerSecond(slots)).toBe(5);
    expect(Math.max(...slots)).toBe(3000); // 20 sends at 5/s need 4 windows
  });

  it('keeps the whole app within 50 per second across many users', () => {
    const p = new Pacer({ appPerSecond: 50, perTargetPerSecond: 5 });
    const slots = Array.from({ length: 500 }, (_, i) => p.reserve(`ou_${i}`, 0));
    expect(maxPerSecond(slots)).toBe(50);
    expect(Math.max(...slots)).toBe(9000); // 500 at 50/s: ten windows, nothing wasted
  });

  it('does not delay sends that are already spread out', () => {
    const p = new Pacer({ appPerSecond: 50, perTargetPerSecond: 5 });
    const slots = Array.from({ length: 10 }, (_, i) => p.reserve('oc_group', i * 250));
    expect(slots).toEqual(Array.from({ length: 10 }, (_, i) => i * 250));
  });

  it('honours both limits at once', () => {
    const p = new Pacer({ appPerSecond: 8, perTargetPerSecond: 5 });
    const slots = [...Array.from({ length: 10 }, () => p.reserve('ou_a', 0)), ...Array.from({ length: 10 }, () => p.reserve('ou_b', 0))];
    expect(maxPerSecond(slots)).toBe(8);
    expect(maxPerSecond(slots.slice(0, 10))).toBe(5);
    expect(maxPerSecond(slots.slice(10))).toBeLessThanOrEqual(5);
  });
});
