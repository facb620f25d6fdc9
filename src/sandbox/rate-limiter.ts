// Sliding-window rate limiter: at most `limit` hits per key within any window (1 s by default; Lark's
// per-app limits are a 1-s AND a 60-s window, checked together with `tryHitAll`).
// Rejected hits do not count against any window (a throttled request did nothing).

export interface LimitResult {
  ok: boolean;
  /** Seconds until every full window has room again (what Lark puts in x-ogw-ratelimit-reset). */
  resetSeconds: number;
  /** When refused: the limit that refused it (the one with the longest wait), for x-ogw-ratelimit-limit. */
  limit?: number;
}

export interface Window {
  /** Hits allowed within any `windowMs`; <= 0 disables this window. */
  limit: number;
  windowMs: number;
}

export class SlidingWindowLimiter {
  /** Per key: the instants of accepted hits, oldest first, kept for the longest window asked about. */
  private readonly hits = new Map<string, number[]>();

  constructor(private readonly windowMs = 1000) {}

  /** One window of `this.windowMs`; limit <= 0 disables limiting for this call. */
  tryHit(key: string, limit: number, now = Date.now()): LimitResult {
    return this.tryHitAll(key, [{ limit, windowMs: this.windowMs }], now);
  }

  /**
   * A hit allowed only if every window has room; counted in all of them, or in none. A key must always
   * be asked about with the same windows (the longest one decides how much history is kept).
   */
  tryHitAll(key: string, windows: Window[], now = Date.now()): LimitResult {
    const active = windows.filter((w) => w.limit > 0);
    if (active.length === 0) return { ok: true, resetSeconds: 0 };
    const longest = Math.max(...active.map((w) => w.windowMs));
    const list = this.hits.get(key) ?? [];
    let drop = 0;
    while (drop < list.length && list[drop]! <= now - longest) drop++;
    if (drop) list.splice(0, drop);
    this.hits.set(key, list);

    let waitMs = 0;
    let limit: number | undefined;
    for (const w of active) {
      const inWindow = list.length - firstAfter(list, now - w.windowMs);
      if (inWindow < w.limit) continue;
      // The hit that has to leave this window before another fits: the limit-th newest.
      const wait = list[list.length - w.limit]! + w.windowMs - now;
      if (limit === undefined || wait > waitMs) {
        waitMs = wait;
        limit = w.limit;
      }
    }
    if (limit !== undefined) return { ok: false, resetSeconds: Math.max(1, Math.ceil(waitMs / 1000)), limit };
    list.push(now);
    return { ok: true, resetSeconds: 0 };
  }
}

/** Index of the first entry > t in an ascending list (binary search). */
function firstAfter(list: number[], t: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]! > t) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
