/**
 * Paces sends to Lark's limits: per app (50/s) and per target user or chat (5/s), with sliding
 * one-second windows. `reserve` is pure bookkeeping over the timestamps it is given; `acquire`
 * sleeps until the reserved slot.
 */
export interface PacerLimits {
  appPerSecond: number;
  perTargetPerSecond: number;
}

export const LARK_LIMITS: PacerLimits = { appPerSecond: 50, perTargetPerSecond: 5 };

export class Pacer {
  private readonly app: number[] = [];
  private readonly targets = new Map<string, number[]>();

  constructor(private readonly limits: PacerLimits = LARK_LIMITS) {}

  /** Reserve the earliest slot at or after `nowMs` that keeps both windows within limits; returns it. */
  reserve(target: string, nowMs: number): number {
    const t = this.targets.get(target) ?? [];
    let at = nowMs;
    for (;;) {
      const a = earliest(this.app, at, this.limits.appPerSecond);
      const b = earliest(t, a, this.limits.perTargetPerSecond);
      if (b === at) break;
      at = b;
    }
    insertSorted(this.app, at);
    insertSorted(t, at);
    this.targets.set(target, t);
    prune(this.app, nowMs);
    if (this.targets.size > 10_000) for (const [k, v] of this.targets) if (prune(v, nowMs) === 0) this.targets.delete(k);
    return at;
  }

  async acquire(target: string, now: () => number = Date.now): Promise<void> {
    const start = now();
    const at = this.reserve(target, start);
    if (at > start) await new Promise((r) => setTimeout(r, at - start));
  }
}

/** Whether one more entry at `s` keeps every one-second window holding it within `limit`. */
function fits(times: number[], s: number, limit: number): boolean {
  const windowEnds = [s, ...times.filter((x) => x > s && x < s + 1000)];
  return windowEnds.every((e) => times.filter((x) => x > e - 1000 && x <= e).length + 1 <= limit);
}

/** Earliest instant >= at where one more entry fits. Only `x + 1000` boundaries can make room. */
function earliest(times: number[], at: number, limit: number): number {
  if (limit <= 0 || fits(times, at, limit)) return at;
  const candidates = times.map((x) => x + 1000).filter((c) => c > at).sort((p, q) => p - q);
  for (const c of candidates) if (fits(times, c, limit)) return c;
  return at; // not reached: past the last candidate every window is empty
}

function insertSorted(arr: number[], v: number): void {
  let i = arr.length;
  while (i > 0 && arr[i - 1]! > v) i--;
  arr.splice(i, 0, v);
}

function prune(arr: number[], nowMs: number): number {
  let n = 0;
  while (n < arr.length && arr[n]! <= nowMs - 1000) n++;
  arr.splice(0, n);
  return arr.length;
}
