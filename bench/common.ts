// Shared by the benchmarks that run the bot against bench/sandbox-child.ts.
import { LARK_LIMITS, type PacerLimits } from '../src/lark/pacer.js';

/** The line bench/sandbox-child.ts prints: its credentials and the user messages it registered. */
export interface SandboxInfo {
  appId: string;
  appSecret: string;
  encryptKey: string;
  verificationToken: string;
  baseUrl: string;
  messages: { from: string; text: string; chatId: string; messageId: string }[];
}

/** The p-th percentile of ascending `sorted` (nearest rank). */
export function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** The least time (s) in which n sends can all go out under perSecond/s and perMinute/min (sliding windows). */
export function floorSeconds(n: number, perSecond: number, perMinute: number): number {
  if (n <= perMinute || perMinute >= perSecond * 60) return n / perSecond;
  const fullMinutes = Math.ceil(n / perMinute) - 1;
  return Math.max(n / perSecond, fullMinutes * 60 + (n - fullMinutes * perMinute) / perSecond);
}

/** The most of the ascending instants `at` (ms) that fall within any window of `ms`. */
export function maxInWindow(at: readonly number[], ms: number): number {
  let best = 0;
  for (let i = 0, j = 0; i < at.length; i++) {
    while (at[i]! - at[j]! >= ms) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

/** The bot pacer's limits with both of Lark's per-app limits scaled by `scale` (the minute window left out when `minute` is false). */
export function scaledLarkLimits(scale: number, minute = true): PacerLimits {
  return { ...LARK_LIMITS, appPerSecond: LARK_LIMITS.appPerSecond * scale, appPerMinute: minute ? LARK_LIMITS.appPerMinute * scale : 0 };
}
