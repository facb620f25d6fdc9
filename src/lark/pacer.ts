/**
 * Paces sends to Lark's limits: per app (50/s) and per target user or chat (5/s). Sends are spaced
 * evenly (1000/limit ms apart) rather than let through in bursts, so that the small, uneven delays
 * between here and Lark cannot pile two bursts into one of Lark's one-second windows; sliding
 * one-second windows of the instants sends actually went out are checked as well. A waiter that
 * wakes late (a busy event loop) asks again before it goes, so late timers cannot burst either.
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
  private nextApp = 0;

  constructor(private readonly limits: PacerLimits = LARK_LIMITS) {}

  /**
   * Take a slot at `nowMs` if both windows allow one (returns 0), or return how long to wait before
   * asking again. Pure bookkeeping over the instants it is given.
   */
  tryTake(target: string, nowMs: number): number {
    prune(this.app, nowMs);
    const t = this.targets.get(target) ?? [];
    prune(t, nowMs);
    const wait = Math.max(
      this.nextApp - nowMs,
      spacingWait(t, this.limits.perTargetPerSecond, nowMs),
      waitFor(this.app, this.limits.appPerSecond, nowMs),
      waitFor(t, this.limits.perTargetPerSecond, nowMs),
    );
    if (wait > 0) {
      if (t.length) this.targets.set(target, t);
      return wait;
    }
    this.app.push(nowMs);
    t.push(nowMs);
    if (this.limits.appPerSecond > 0) {
      // Slots follow a schedule, not the instant a late waiter happened to wake: lateness is caught up
      // (by at most one interval) instead of adding up and lowering the rate.
      const interval = WINDOW_MS / this.limits.appPerSecond;
      this.nextApp = Math.max(this.nextApp, nowMs - interval) + interval;
    }
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

/** Time until the even spacing allows the next send to one target. */
function spacingWait(times: number[], limit: number, nowMs: number): number {
  const last = times.at(-1);
  return limit > 0 && last !== undefined ? last + WINDOW_MS / limit - nowMs : 0;
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
