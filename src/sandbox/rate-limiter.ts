// Sliding-window rate limiter: at most `limit` hits per key within any 1-second window.
// Rejected hits do not count against the window (a throttled request did nothing).

export interface LimitResult {
  ok: boolean;
  /** Seconds until the window has room again (what Lark puts in x-ogw-ratelimit-reset). */
  resetSeconds: number;
}

export class SlidingWindowLimiter {
  private readonly hits = new Map<string, number[]>();

  constructor(private readonly windowMs = 1000) {}

  /** limit <= 0 disables limiting for this call. */
  tryHit(key: string, limit: number, now = Date.now()): LimitResult {
    if (limit <= 0) return { ok: true, resetSeconds: 0 };
    const from = now - this.windowMs;
    const list = (this.hits.get(key) ?? []).filter((t) => t > from);
    if (list.length >= limit) {
      this.hits.set(key, list);
      const oldest = list[0] ?? now;
      return { ok: false, resetSeconds: Math.max(1, Math.ceil((oldest + this.windowMs - now) / 1000)) };
    }
    list.push(now);
    this.hits.set(key, list);
    return { ok: true, resetSeconds: 0 };
  }
}
