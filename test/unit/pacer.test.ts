import { describe, expect, it } from 'vitest';
import { sendClass } from '../../src/lark/messenger.js';
import { LARK_LIMITS, Pacer, type SendClass } from '../../src/lark/pacer.js';

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
  let queue = targets.map((target, i) => ({ at: start, i, target, due: undefined as number | undefined }));
  while (queue.length) {
    queue.sort((a, b) => a.at - b.at || a.i - b.i);
    const next = queue.shift()!;
    const wait = p.tryTake(next.target, next.at, 'interactive', next.due);
    if (wait === 0) sentAt[next.i] = next.at;
    else queue.push({ ...next, at: next.at + wait, due: next.at + wait });
  }
  return sentAt;
}

describe('Pacer', () => {
  it('spaces a burst to one user evenly at 5 per 1.15 s (Lark: 5 per second; 150 ms for varying delays), no faster', () => {
    const slots = sendAll(new Pacer({ appPerSecond: 50, perTargetPerSecond: 5 }), Array(20).fill('ou_a'));
    expect(slots.slice(0, 6)).toEqual([0, 230, 460, 690, 920, 1150]);
    expect(maxPerSecond(slots)).toBe(5);
    expect(Math.max(...slots)).toBe(19 * 230);
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
    const p = new Pacer({ appPerSecond: 4, perTargetPerSecond: 0 });
    expect(p.tryTake('x', 0)).toBe(0);
    // Three waiters told to come back at 250 all wake at 600: one goes, the others wait their turn.
    expect(p.tryTake('x', 600)).toBe(0);
    expect(p.tryTake('x', 600)).toBe(250);
    expect(p.tryTake('x', 600)).toBe(250);
    expect(p.tryTake('x', 850)).toBe(0);
  });

  it('keeps the old behaviour when there is no per-minute limit', () => {
    const p = new Pacer({ appPerSecond: 50, perTargetPerSecond: 0 });
    const slots = sendAll(p, Array.from({ length: 3000 }, (_, i) => `ou_${i}`).slice(0, 200));
    expect(Math.max(...slots)).toBe(199 * 20);
  });
});

/** Virtual instants are fractional ms (1000/48 apart): differences are compared with this tolerance. */
const EPS = 1e-6;

/** The largest number of slots in any window of `windowMs` (a slot at t leaves the window at t + windowMs). */
function maxInWindow(slots: number[], windowMs: number): number {
  const s = [...slots].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < s.length; i++) {
    while (s[i]! - s[j]! >= windowMs - EPS) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

function minGap(slots: number[]): number {
  const s = [...slots].sort((a, b) => a - b);
  let best = Infinity;
  for (let i = 1; i < s.length; i++) best = Math.min(best, s[i]! - s[i - 1]!);
  return best;
}

interface Sim {
  /** When each bulk send went out, in job order. */
  bulk: number[];
  /** Each interactive send: when it asked and when it went. */
  interactive: Array<{ asked: number; sent: number }>;
}

/**
 * A virtual clock. `workers` queue workers work through `bulk` sends to distinct users (as a broadcast
 * does: each takes the next job as soon as its send went out); interactive sends arrive at the given
 * instants, each its own waiter. Every waiter sleeps as long as the pacer says (plus `late(n)` ms, a
 * busy event loop) and asks again; waiters due at the same instant wake in the order they went to sleep,
 * as Node's timers do.
 */
function simulate(p: Pacer, o: { bulk: number; workers: number; interactiveAt?: number[]; late?: (n: number) => number; wholeMs?: boolean }): Sim {
  const out: Sim = { bulk: [], interactive: [] };
  type W = { at: number; seq: number; kind: SendClass; job: number; asked: number; due?: number };
  const waiting: W[] = [];
  let seq = 0;
  let nextJob = 0;
  let wakes = 0;
  const takeJob = (at: number) => {
    if (nextJob < o.bulk) waiting.push({ at, seq: seq++, kind: 'bulk', job: nextJob++, asked: at });
  };
  for (let i = 0; i < o.workers; i++) takeJob(0);
  (o.interactiveAt ?? []).forEach((at, i) => waiting.push({ at, seq: seq++, kind: 'interactive', job: i, asked: at }));
  while (waiting.length) {
    let k = 0;
    for (let i = 1; i < waiting.length; i++) {
      const a = waiting[i]!;
      const b = waiting[k]!;
      if (a.at < b.at || (a.at === b.at && a.seq < b.seq)) k = i;
    }
    const w = waiting.splice(k, 1)[0]!;
    const target = w.kind === 'bulk' ? `ou_${w.job}` : `ou_asker_${w.job}`;
    const wait = p.tryTake(target, w.at, w.kind, w.due);
    if (wait > 0) {
      const due = w.at + wait;
      const at = due + (o.late?.(wakes++) ?? 0);
      waiting.push({ ...w, at: o.wholeMs ? Math.ceil(at) : at, due, seq: seq++ }); // wholeMs: a Date.now() clock
      continue;
    }
    if (w.kind === 'bulk') {
      out.bulk[w.job] = w.at;
      takeJob(w.at);
    } else out.interactive.push({ asked: w.asked, sent: w.at });
  }
  return out;
}

describe('Pacer: per-minute limit (Lark: 1000/min as well as 50/s)', () => {
  const SPACING = 1000 / 48;

  it('3,000 broadcast sends: never more than the per-minute cap in any 60 s, never two within 1/48 s, as fast as both windows allow', () => {
    const p = new Pacer(LARK_LIMITS);
    const { bulk } = simulate(p, { bulk: 3000, workers: 16 });
    expect(bulk.filter((t) => t !== undefined)).toHaveLength(3000);
    expect(maxInWindow(bulk, 60_000)).toBeLessThanOrEqual(LARK_LIMITS.appPerMinute);
    expect(maxInWindow(bulk, 60_000)).toBe(966); // bulk stops at 985 less the 2 % (19) kept for answers
    expect(maxInWindow(bulk, 1000)).toBeLessThanOrEqual(48);
    expect(minGap(bulk)).toBeGreaterThanOrEqual(SPACING - EPS);
    // Three full minutes of 966 at 48/s, then the last 102: the fastest these limits allow.
    expect(Math.max(...bulk)).toBeCloseTo(3 * 60_000 + 101 * SPACING, 6);
  });

  it('with no reserve, a burst uses the whole cap each minute and then waits for its first sends to leave the window', () => {
    const p = new Pacer({ ...LARK_LIMITS, reservedPerMinute: 0 });
    const { bulk } = simulate(p, { bulk: 3000, workers: 16 });
    expect(maxInWindow(bulk, 60_000)).toBe(985);
    expect(minGap(bulk)).toBeGreaterThanOrEqual(SPACING - EPS);
    const sorted = [...bulk].sort((a, b) => a - b);
    expect(sorted[984]).toBeCloseTo(984 * SPACING, 6); // the first 985 at 48/s
    expect(sorted[985]).toBe(60_000); // the 986th as the first leaves the window
    expect(sorted[2999]).toBeCloseTo(3 * 60_000 + (3000 - 3 * 985 - 1) * SPACING, 6);
  });

  it('is safe against calendar minutes too: no fixed minute holds more than the cap', () => {
    const p = new Pacer(LARK_LIMITS);
    // Start 30 s into a minute so that minute boundaries cut through the bursts.
    const { bulk } = simulate(p, { bulk: 3000, workers: 16 });
    for (const offset of [0, 17_000, 30_000, 45_500]) {
      const perMinute = new Map<number, number>();
      for (const t of bulk) {
        const m = Math.floor((t + offset) / 60_000);
        perMinute.set(m, (perMinute.get(m) ?? 0) + 1);
      }
      expect(Math.max(...perMinute.values())).toBeLessThanOrEqual(LARK_LIMITS.appPerMinute);
    }
  });

  it('holds both limits on a whole-millisecond clock with waiters that wake late (a busy event loop)', () => {
    const p = new Pacer(LARK_LIMITS);
    const { bulk, interactive } = simulate(p, {
      bulk: 3000,
      workers: 16,
      interactiveAt: Array.from({ length: 120 }, (_, i) => 1500 * i + 7),
      late: (n) => (n * 7919) % 13, // 0–12 ms late, deterministic
      wholeMs: true,
    });
    const all = [...bulk, ...interactive.map((x) => x.sent)];
    expect(all).toHaveLength(3120);
    expect(maxInWindow(all, 60_000)).toBeLessThanOrEqual(985);
    expect(maxInWindow(all, 1000)).toBeLessThanOrEqual(48);
    // A waiter's lateness is caught up (so the rate stays at 48/s: two sends may come closer than 1/48 s
    // here, the per-second window still holds them to 48 in any second): it ends within a second of the
    // same run with waiters that wake on time.
    const onTime = simulate(new Pacer(LARK_LIMITS), { bulk: 3000, workers: 16, interactiveAt: Array.from({ length: 120 }, (_, i) => 1500 * i + 7) });
    expect(Math.max(...bulk)).toBeLessThan(Math.max(...onTime.bulk) + 1000);
  });

  it('does not make answers wait for a broadcast that has spent its minute', () => {
    const p = new Pacer(LARK_LIMITS);
    // A broadcast of 3,000 with 16 workers, and a user's answer every 4 s throughout (15 a minute; 19 are reserved).
    const asks = Array.from({ length: 47 }, (_, i) => 4000 * i + 7);
    const { bulk, interactive } = simulate(p, { bulk: 3000, workers: 16, interactiveAt: asks });
    const all = [...bulk, ...interactive.map((x) => x.sent)];
    expect(maxInWindow(all, 60_000)).toBeLessThanOrEqual(985);
    expect(maxInWindow(all, 1000)).toBeLessThanOrEqual(48);
    expect(minGap(all)).toBeGreaterThanOrEqual(SPACING - EPS);
    // While the broadcast runs an answer waits its turn among the 16 workers (well under a second), and
    // while the broadcast waits for its minute to free, answers go at once from the reserve.
    const waits = interactive.map((x) => x.sent - x.asked);
    expect(Math.max(...waits)).toBeLessThan(17 * SPACING);
    const duringPause = interactive.filter((x) => x.asked > 21_000 && x.asked < 59_000);
    expect(duringPause.length).toBeGreaterThan(8);
    expect(duringPause.filter((x) => x.sent - x.asked >= SPACING)).toEqual([]);
  });

  it('without the reserve an answer would wait for the minute to free (what the reserve is for)', () => {
    const p = new Pacer({ ...LARK_LIMITS, reservedPerMinute: 0 });
    const { interactive } = simulate(p, { bulk: 3000, workers: 16, interactiveAt: [30_000] });
    expect(interactive[0]!.sent).toBeGreaterThanOrEqual(60_000); // asked at 30 s
  });

  it('classifies answers to users as interactive and broadcasts as bulk', () => {
    expect(sendClass({ purpose: 'reply', replyTo: 'om_1' })).toBe('interactive');
    expect(sendClass({ purpose: 'action' })).toBe('interactive');
    expect(sendClass({ purpose: 'report-confirm' })).toBe('interactive');
    expect(sendClass({ purpose: 'notice' })).toBe('bulk');
    expect(sendClass({ purpose: 'notice-chase' })).toBe('bulk');
    expect(sendClass({ purpose: 'reminder' })).toBe('bulk');
  });
});

