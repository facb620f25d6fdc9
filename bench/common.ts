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

/** Minimal Prisma-like client for raw SQL. */
interface RawSql {
  $executeRawUnsafe(sql: string): Promise<number>;
}

/**
 * `n` towns, each with a secretary (open_id `<openIdPrefix><i>`) owing November's liaison visit, with one
 * reminder due on 2026-11-23: a tick at that day sends exactly one card to each.
 */
export async function seedOneReminderEach(db: RawSql, n: number, openIdPrefix: string): Promise<void> {
  await db.$executeRawUnsafe(`INSERT INTO "Unit" (id, code, name, kind, "updatedAt") SELECT u, 'U' || u, '第' || u || '镇党委', 'TOWN', now() FROM generate_series(1, ${n}) u`);
  await db.$executeRawUnsafe(`
    INSERT INTO "Person" (id, code, name, "unitId", role, "larkOpenId", "updatedAt")
    SELECT p, 'P' || p, '书记' || p, p, 'SECRETARY', '${openIdPrefix}' || p, now() FROM generate_series(1, ${n}) p`);
  await db.$executeRawUnsafe(`
    INSERT INTO "Obligation" (id, "ruleCode", "ownerKey", "unitId", "personId", "periodKey", title, "periodStart", "dueAt", "remindersPlannedAt", "updatedAt")
    SELECT p, 'LIAISON_VISIT_SECRETARY', 'p' || p, p, p, '2026-11', '2026年11月 到基层联系点检查指导',
           timestamp '2026-10-31 16:00', timestamp '2026-11-30 15:59:59.999', now(), now() FROM generate_series(1, ${n}) p`);
  await db.$executeRawUnsafe(`INSERT INTO "Reminder" ("obligationId", stage, "recipientId", "sendOn") SELECT p, 'before-5', p, timestamp '2026-11-22 16:00' FROM generate_series(1, ${n}) p`);
}
