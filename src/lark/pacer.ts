/**
 * Paces sends to Lark's limits: per app 50/s AND 1000/min (message.create / reply, tier 4: hitting
 * either throttles), and per target user or chat 5/s.
 *
 * - Per second: sends are spaced evenly (1000/limit ms apart) rather than let through in bursts, so
 *   that the small, uneven delays between here and Lark cannot pile two bursts into one of Lark's
 *   one-second windows; sliding one-second windows of the instants sends actually went out are checked
 *   as well. A waiter that wakes late (a busy event loop) asks again before it goes, so late timers
 *   cannot burst either.
 * - Per minute: at most `appPerMinute` sends in any sliding 60-s window (so also in any calendar
 *   minute, should Lark count those). A broadcast therefore goes out at the per-second pace until the
 *   minute's budget is spent, then waits for its first sends to leave the window — the fastest a
 *   schedule allowed by both of Lark's windows can be.
 * - Interactive sends (answers to a user) are not queued behind bulk ones: every waiter asks again when
 *   told and the first to ask after a slot opens takes it, as before. And `reservedPerMinute` of the
 *   minute's budget is for them only: bulk sends (broadcasts, reminders) stop at appPerMinute −
 *   reservedPerMinute, so a broadcast that has spent its minute does not make answers wait up to 40 s.
 */
export interface PacerLimits {
  appPerSecond: number;
  /** Sends per app in any sliding 60 s; 0 or absent: no per-minute limit. */
  appPerMinute?: number;
  /** Of appPerMinute, the part only interactive sends may use; default 2 % of appPerMinute (19 of 985). */
  reservedPerMinute?: number;
  perTargetPerSecond: number;
}

/**
 * Lark allows 50/s and 1000/min per app and 5/s per user or chat; a little headroom absorbs network
 * jitter (LARK_APP_PER_MINUTE sets the per-minute figure, src/config.ts).
 */
export const LARK_LIMITS = { appPerSecond: 48, appPerMinute: 985, perTargetPerSecond: 5 } as const satisfies PacerLimits;

/** What a send is for: `interactive` answers a user and may use the reserved part of the minute. */
export type SendClass = 'interactive' | 'bulk';

/** Waits until a send to `target` is within Lark's limits: this process's `Pacer`, or the replicas' shared one (`shared-pacer.ts`). */
export interface SendPacer {
  acquire(target: string, now?: () => number, kind?: SendClass): Promise<unknown>;
}

const WINDOW_MS = 1000;
const MINUTE_MS = 60_000;
/**
 * The per-target window and spacing: Lark's 1 s plus 150 ms. A send's delay between here and Lark varies
 * from send to send; with sends exactly 200 ms apart, the first of six arriving a little late put all
 * six in one of Lark's seconds (230020, 4 refusals in 50 replies to one group; reliability §7.19).
 */
export const TARGET_WINDOW_MS = 1150;

export class Pacer implements SendPacer {
  private readonly app: number[] = [];
  /** Instants of the sends in the last 60 s (oldest first, from index `minuteHead`). */
  private readonly minute: number[] = [];
  private minuteHead = 0;
  private readonly targets = new Map<string, number[]>();
  private nextApp = 0;
  private readonly perMinute: number;
  private readonly bulkPerMinute: number;

  constructor(private readonly limits: PacerLimits = LARK_LIMITS) {
    this.perMinute = Math.max(0, Math.floor(limits.appPerMinute ?? 0));
    const reserved = limits.reservedPerMinute ?? Math.floor(this.perMinute / 50);
    this.bulkPerMinute = this.perMinute > 0 ? Math.max(1, this.perMinute - Math.max(0, Math.floor(reserved))) : 0;
  }

  /**
   * Take a slot at `nowMs` if every window allows one (returns 0), or return how long to wait before
   * asking again. Pure bookkeeping over the instants it is given. `dueAt`: when the caller was told
   * to come back, if it was (a waiter that was waiting for the next slot may catch up its lateness).
   */
  tryTake(target: string, nowMs: number, kind: SendClass = 'interactive', dueAt?: number): number {
    prune(this.app, nowMs, WINDOW_MS);
    this.pruneMinute(nowMs);
    const t = this.targets.get(target) ?? [];
    prune(t, nowMs, TARGET_WINDOW_MS);
    const wait = Math.max(
      this.nextApp - nowMs,
      spacingWait(t, this.limits.perTargetPerSecond, nowMs),
      waitFor(this.app, this.limits.appPerSecond, nowMs, WINDOW_MS),
      waitFor(t, this.limits.perTargetPerSecond, nowMs, TARGET_WINDOW_MS),
      this.minuteWait(kind === 'bulk' ? this.bulkPerMinute : this.perMinute, nowMs),
    );
    if (wait > 0) {
      if (t.length) this.targets.set(target, t);
      return wait;
    }
    this.app.push(nowMs);
    if (this.perMinute > 0) this.minute.push(nowMs);
    t.push(nowMs);
    if (this.limits.appPerSecond > 0) {
      // Slots follow a schedule, not the instant a late waiter happened to wake: the lateness of a waiter
      // that was waiting for this slot is caught up (by at most one interval) instead of adding up and
      // lowering the rate. Anyone else (a new caller, one that waited for the minute window or its
      // target) starts the schedule afresh, so sends do not pair up after a pause.
      const interval = WINDOW_MS / this.limits.appPerSecond;
      const waitedForThisSlot = dueAt !== undefined && dueAt <= this.nextApp + 1e-6;
      this.nextApp = waitedForThisSlot ? Math.max(this.nextApp, nowMs - interval) + interval : nowMs + interval;
    }
    this.targets.set(target, t);
    if (this.targets.size > 10_000) for (const [k, v] of this.targets) if (prune(v, nowMs, TARGET_WINDOW_MS) === 0) this.targets.delete(k);
    return 0;
  }

  async acquire(target: string, now: () => number = Date.now, kind: SendClass = 'interactive'): Promise<void> {
    let dueAt: number | undefined;
    for (;;) {
      const at = now();
      const wait = this.tryTake(target, at, kind, dueAt);
      if (wait === 0) return;
      dueAt = at + wait;
      await new Promise((r) => setTimeout(r, wait));
    }
  }

  /** Time until the 60-s window has fewer than `limit` sends; 0 when it has room (or no limit). */
  private minuteWait(limit: number, nowMs: number): number {
    const n = this.minute.length - this.minuteHead;
    if (limit <= 0 || n < limit) return 0;
    return this.minute[this.minute.length - limit]! + MINUTE_MS - nowMs;
  }

  private pruneMinute(nowMs: number): void {
    while (this.minuteHead < this.minute.length && this.minute[this.minuteHead]! <= nowMs - MINUTE_MS) this.minuteHead++;
    if (this.minuteHead > 1024 && this.minuteHead * 2 > this.minute.length) {
      this.minute.splice(0, this.minuteHead);
      this.minuteHead = 0;
    }
  }
}

/** Time until the even spacing (TARGET_WINDOW_MS / limit) allows the next send to one target. */
function spacingWait(times: number[], limit: number, nowMs: number): number {
  const last = times.at(-1);
  return limit > 0 && last !== undefined ? last + TARGET_WINDOW_MS / limit - nowMs : 0;
}

/** Time until the oldest entry leaves the window, when the window is full; else 0. */
function waitFor(times: number[], limit: number, nowMs: number, windowMs: number): number {
  if (limit <= 0 || times.length < limit) return 0;
  return times[times.length - limit]! + windowMs - nowMs;
}

/** Drop entries that have left the window ending at nowMs; returns how many remain. */
function prune(times: number[], nowMs: number, windowMs: number): number {
  let n = 0;
  while (n < times.length && times[n]! <= nowMs - windowMs) n++;
  if (n) times.splice(0, n);
  return times.length;
}
