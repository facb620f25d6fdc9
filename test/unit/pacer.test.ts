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

/**
 * Senders that all start at `start` and wait as the pacer tells them, run on a virtual clock in
 * time order (as real waiters wake). Returns the instant each one went out.
 */
function sendAll(p: Pacer, targets: string[], start = 0): number[] {
  const sentAt: number[] = Array(targets.length);
  let queue = targets.map((target, i) => ({ at: start, i, target }));
  while (queue.length) {
    queue.sort((a, b) => a.at - b.at || a.i - b.i);
    const next = queue.shift()!;
    const wait = p.tryTake(next.target, next.at);
    if (wait === 0) sentAt[next.i] = next.at;
    else queue.push({ ...next, at: next.at + wait });
  }
  return sentAt;
}

describe('Pacer', () => {
  it('spaces a burst to one user evenly at 5 per second, no faster', () => {
    const slots = sendAll(new Pacer({ appPerSecond: 50, perTargetPerSecond: 5 }), Array(20).fill('ou_a'));
    expect(slots.slice(0, 6)).toEqual([0, 200, 400, 600, 800, 1000]);
    expect(maxPerSecond(slots)).toBe(5);
    expect(Math.max(...slots)).toBe(3800);
  });

  it('keeps the whole app at its limit across many users, evenly spaced', () => {
    const slots = sendAll(new Pacer({ appPerSecond: 50, perTargetPerSecond: 5 }), Array.from({ length: 500 }, (_, i) => `ou_${i}`));
    expect(maxPerSecond(slots)).toBe(50);
    expect(slots.slice(0, 3)).toEqual([0, 20, 40]);
    expect(Math.max(...slots)).toBe(9980); // 500 at 50/s, one every 20 ms
  });

  it('does not delay sends that are already spread out', () => {
    const p = new Pacer({ appPerSecond: 50, perTargetPerSecond: 5 });
    expect(Array.from({ length: 10 }, (_, i) => p.tryTake('oc_group', i * 250))).toEqual(Array(10).fill(0));
  });

  it('honours both limits at once', () => {
    const p = new Pacer({ appPerSecond: 8, perTargetPerSecond: 5 });
    const all = sendAll(p, [...Array(10).fill('ou_a'), ...Array(10).fill('ou_b')]);
    expect(maxPerSecond(all)).toBe(8); // the app limit is reached, not exceeded
    expect(maxPerSecond(all.slice(0, 10))).toBeLessThanOrEqual(5);
    expect(maxPerSecond(all.slice(10))).toBeLessThanOrEqual(5);
    expect(Math.max(...all)).toBe(19 * 125); // 20 sends at 8/s, one every 125 ms
  });

  it('makes waiters that wake late together go one by one, not in a burst', () => {
    const p = new Pacer({ appPerSecond: 4, perTargetPerSecond: 4 });
    expect(p.tryTake('x', 0)).toBe(0);
    // Three waiters told to come back at 250 all wake at 600: one goes, the others wait their turn.
    expect(p.tryTake('x', 600)).toBe(0);
    expect(p.tryTake('x', 600)).toBe(250);
    expect(p.tryTake('x', 600)).toBe(250);
    expect(p.tryTake('x', 850)).toBe(0);
  });
});
