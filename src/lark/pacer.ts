/**
 * Paces sends to Lark's limits: per app (50/s) and per target user or chat (5/s), over sliding
 * one-second windows of the instants sends actually went out. A waiter that wakes late (a busy
 * event loop) checks the window again before it goes, so late timers cannot burst past the limit.
 */
export interface PacerLimits {
  appPerSecond: number;
  perTargetPerSecond: number;
}

/** Lark allows 50/s per app and 5/s per user or chat; a little headroom absorbs network jitter. */
export const LARK_LIMITS: PacerLimits = { appPerSecond: 48, perTargetPerSecond: 5 };

const WINDOW_MS = 1000;

export class Pacer {
  private readonly app: number[] = [];
  private readonly targets = new Map<string, number[]>();

  constructor(private readonly limits: PacerLimits = LARK_LIMITS) {}

  /**
   * Take a slot at `nowMs` if both windows allow one (returns 0), or return how long to wait before
   * asking again. Pure bookkeeping over the instants it is given.
   */
  tryTake(target: string, nowMs: number): number {
    prune(this.app, nowMs);
    const t = this.targets.get(target) ?? [];
    prune(t, nowMs);
    const wait = Math.max(waitFor(this.app, this.limits.appPerSecond, nowMs), waitFor(t, this.limits.perTargetPerSecond, nowMs));
    if (wait > 0) {
      if (t.length) this.targets.set(target, t);
      return wait;
    }
    this.app.push(nowMs);
    t.push(nowMs);
    this.targets.set(target, t);
    if (this.targets.size > 10_000) for (const [k, v] of this.targets) if (prune(v, nowMs) === 0) this.targets.delete(k);
    return 0;
  }

  async acquire(target: string, now: () => number = Date.now): Promise<void> {
    for (;;) {
      const wait = this.tryTake(target, now());
      if (wait === 0) return;
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}

/** Time until the oldest entry leaves the window, when the window is full; else 0. */
function waitFor(times: number[], limit: number, nowMs: number): number {
  if (limit <= 0 || times.length < limit) return 0;
  return times[times.length - limit]! + WINDOW_MS - nowMs;
}

/** Drop entries that have left the window ending at nowMs; returns how many remain. */
function prune(times: number[], nowMs: number): number {
  let n = 0;
  while (n < times.length && times[n]! <= nowMs - WINDOW_MS) n++;
  if (n) times.splice(0, n);
  return times.length;
}
