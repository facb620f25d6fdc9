// The reminder planner: one tick at an instant. PostgreSQL holds the plan (Reminder rows) and the
// claims (ReminderDigest, one per recipient, day and kind); Redis only carries the send jobs.
//
// A tick, in one transaction under a PostgreSQL advisory lock (ticks of several processes run one
// after the other; the unique claim key and the `status = 'PENDING'` conditions are the fence even
// without it):
// 1. plans Reminder rows for obligations not planned yet (bounded per tick);
// 2. on a working day in working hours only: reads the PENDING reminders with sendOn <= today (by
//    the (status, sendOn) index: only what is due is read), skips those of obligations no longer
//    OPEN and superseded ones, and claims one digest per recipient for today, moving its reminders
//    to CLAIMED; claims the organisation department's daily overdue digest;
// 3. hands out again the digests claimed more than `staleClaimMs` ago and still not sent (their job
//    was lost with Redis, or its worker died): the next tick rebuilds from PostgreSQL what is due.
// The caller enqueues one send job per digest with a deterministic id (see enqueueDigests).
import type { Deps } from '../deps.js';
import { scheduleWarning } from '../domain/calendar/schedule.js';
import { beijingDay, beijingStartOfDay } from '../domain/calendar/working-days.js';
import { maySendAt, planTick, type DueReminder, type SkipReason } from '../domain/reminders/schedule.js';
import type { JobQueue } from '../jobs/queue.js';
import { materialiseReminders, type DbTx, type MaterialiseResult } from './materialise.js';

export type TickDeps = Pick<Deps, 'db' | 'catalog' | 'calendar' | 'config' | 'log'>;

export interface TickOptions {
  now: Date;
  /** Compute everything, write nothing (the transaction is rolled back). */
  dryRun?: boolean;
  /** Load names and items of each digest, for printing. */
  describe?: boolean;
  /** A claimed digest not sent after this long is handed out again (default 2 minutes). */
  staleClaimMs?: number;
  /** Obligations planned per tick, in batches of 2000 (default 10 batches). */
  maxPlanBatches?: number;
  /** Due reminders read per tick (the rest wait for the next tick). */
  maxDue?: number;
}

export type DigestKind = 'duty' | 'od';

export interface ClaimedDigest {
  id: number;
  kind: DigestKind;
  recipientId: number;
  /** 'YYYY-MM-DD' */
  day: string;
  jobId: string;
  /** With `describe`: */
  recipientName?: string;
  items?: { obligationId: number; title: string; stage: string; dueAt: Date }[];
}

export interface TickResult {
  at: Date;
  today: string;
  /** false outside working days and hours: nothing was claimed. */
  sending: boolean;
  planned: MaterialiseResult;
  skipped: Record<SkipReason, number>;
  /** Claimed by this tick. */
  digests: ClaimedDigest[];
  /** Claimed earlier, not sent, handed out again. */
  requeued: ClaimedDigest[];
  ms: number;
}

export const SEND_REMINDER_JOB = 'send-reminder';
const LOCK_KEY = 7_242_026; // pg advisory lock of the reminder tick
const DEFAULT_STALE_MS = 2 * 60_000;

class DryRunRollback extends Error {
  constructor(readonly result: TickResult) {
    super('dry run');
  }
}

export function digestJobId(kind: DigestKind, recipientId: number, day: string): string {
  return `reminder-${kind}-${recipientId}-${day.replaceAll('-', '')}`;
}

export async function reminderTick(deps: TickDeps, o: TickOptions): Promise<TickResult> {
  const t0 = performance.now();
  try {
    return await deps.db.$transaction(
      async (tx) => {
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(${LOCK_KEY}::bigint)`;
        const result = await tickIn(tx, deps, o);
        result.ms = performance.now() - t0;
        if (o.dryRun) throw new DryRunRollback(result);
        return result;
      },
      { timeout: 120_000, maxWait: 30_000 },
    );
  } catch (err) {
    if (err instanceof DryRunRollback) return err.result;
    throw err;
  }
}

async function tickIn(tx: DbTx, deps: TickDeps, o: TickOptions): Promise<TickResult> {
  const now = o.now;
  const today = beijingDay(now);
  const todayStart = beijingStartOfDay(today);
  const catalog = deps.catalog.current;
  const planned = await materialiseReminders(tx, { catalog, calendar: deps.calendar, now, maxBatches: o.maxPlanBatches ?? 10 });
  const result: TickResult = {
    at: now,
    today,
    sending: maySendAt(now, deps.calendar, deps.config.workHours),
    planned,
    skipped: { closed: 0, 'past-due': 0, superseded: 0 },
    digests: [],
    requeued: [],
    ms: 0,
  };
  if (!result.sending) return result;

  // What is due, read in the (status, sendOn) index's order so PostgreSQL walks that index and
  // stops at today (ordering by id made it scan the primary key through every row on a misjudged
  // estimate), with the obligation's state in the same round trip.
  const due = await tx.$queryRaw<{ id: number; obligationId: number; stage: string; recipientId: number; sendOn: Date; status: DueReminder['obligation']['status']; dueAt: Date }[]>`
    SELECT r."id", r."obligationId", r."stage", r."recipientId", r."sendOn", o."status"::text AS "status", o."dueAt"
    FROM "Reminder" r JOIN "Obligation" o ON o."id" = r."obligationId"
    WHERE r."status" = 'PENDING' AND r."sendOn" <= ${todayStart}
    ORDER BY r."sendOn"
    LIMIT ${o.maxDue ?? 100_000}`;
  const plan = planTick(
    due.map((r): DueReminder => ({ ...r, sendOn: beijingDay(r.sendOn), obligation: { status: r.status, dueAt: r.dueAt } })),
    now,
  );
  for (const reason of ['closed', 'past-due', 'superseded'] as const) {
    const ids = plan.skip.filter((s) => s.reason === reason).map((s) => s.id);
    if (!ids.length) continue;
    result.skipped[reason] = await tx.$executeRaw`
      UPDATE "Reminder" SET "status" = 'SKIPPED', "error" = ${`skipped: ${reason}`}
      WHERE "id" = ANY(${ids}::int[]) AND "status" = 'PENDING'`;
  }

  // Claim one digest per recipient and day, and move its reminders to CLAIMED, in one statement.
  // Recipients are inserted in id order, so concurrent ticks (were the advisory lock gone) wait on
  // each other instead of deadlocking. A recipient whose card for today is already claimed keeps
  // the new reminders PENDING: they go with the next working day's card.
  if (plan.digests.length) {
    const recipientIds = plan.digests.flatMap((d) => d.reminderIds.map(() => d.recipientId));
    const reminderIds = plan.digests.flatMap((d) => d.reminderIds);
    const claimed = await tx.$queryRaw<{ id: number; recipientId: number }[]>`
      WITH want AS (
        SELECT * FROM unnest(${recipientIds}::int[], ${reminderIds}::int[]) AS w(rid, reminder_id)
      ), ins AS (
        INSERT INTO "ReminderDigest" ("kind", "recipientId", "day", "status", "claimedAt")
        SELECT 'duty', rid, ${todayStart}, 'CLAIMED', ${now} FROM (SELECT DISTINCT rid FROM want) x ORDER BY rid
        ON CONFLICT ("recipientId", "day", "kind") DO NOTHING
        RETURNING "id", "recipientId"
      ), upd AS (
        UPDATE "Reminder" AS r SET "status" = 'CLAIMED', "digestId" = ins."id", "claimedAt" = ${now}
        FROM want JOIN ins ON ins."recipientId" = want.rid
        WHERE r."id" = want.reminder_id AND r."status" = 'PENDING'
        RETURNING r."id"
      )
      SELECT "id", "recipientId" FROM ins ORDER BY "recipientId"`;
    for (const c of claimed) {
      result.digests.push({ id: c.id, kind: 'duty', recipientId: c.recipientId, day: today, jobId: digestJobId('duty', c.recipientId, today) });
    }
  }

  // The organisation department's daily digest, when anything is overdue or awaits its acceptance,
  // or a year's holiday schedule is missing.
  const calendarAlert = scheduleWarning(deps.calendar, now) !== null;
  const od = await tx.$queryRaw<{ id: number; recipientId: number }[]>`
    INSERT INTO "ReminderDigest" ("kind", "recipientId", "day", "status", "claimedAt")
    SELECT 'od', p."id", ${todayStart}, 'CLAIMED', ${now} FROM "Person" p
    WHERE p."role" = 'OD_STAFF' AND p."active"
      AND (EXISTS (SELECT 1 FROM "Obligation" o WHERE o."status" = 'OPEN' AND o."dueAt" < ${now})
        OR EXISTS (SELECT 1 FROM "Obligation" o WHERE o."status" = 'SUBMITTED')
        OR ${calendarAlert})
    ORDER BY p."id"
    ON CONFLICT ("recipientId", "day", "kind") DO NOTHING
    RETURNING "id", "recipientId"`;
  for (const c of od) result.digests.push({ id: c.id, kind: 'od', recipientId: c.recipientId, day: today, jobId: digestJobId('od', c.recipientId, today) });

  // Claims whose send did not complete: hand them out again (same job id, same Lark uuid).
  const stale = await tx.reminderDigest.findMany({
    where: { status: 'CLAIMED', claimedAt: { lt: new Date(now.getTime() - (o.staleClaimMs ?? DEFAULT_STALE_MS)) } },
    select: { id: true, kind: true, recipientId: true, day: true },
    orderBy: { claimedAt: 'asc' }, // the (status, claimedAt) index's order
    take: 10_000,
  });
  for (const s of stale) {
    const day = beijingDay(s.day);
    const kind = s.kind as DigestKind;
    result.requeued.push({ id: s.id, kind, recipientId: s.recipientId, day, jobId: digestJobId(kind, s.recipientId, day) });
  }

  if (o.describe) await describeDigests(tx, [...result.digests, ...result.requeued]);
  return result;
}

async function describeDigests(tx: DbTx, digests: ClaimedDigest[]): Promise<void> {
  if (!digests.length) return;
  const people = await tx.person.findMany({ where: { id: { in: [...new Set(digests.map((d) => d.recipientId))] } }, select: { id: true, name: true } });
  const names = new Map(people.map((p) => [p.id, p.name]));
  const reminders = await tx.reminder.findMany({
    where: { digestId: { in: digests.filter((d) => d.kind === 'duty').map((d) => d.id) } },
    select: { digestId: true, stage: true, obligation: { select: { id: true, title: true, dueAt: true } } },
  });
  for (const d of digests) {
    d.recipientName = names.get(d.recipientId) ?? `#${d.recipientId}`;
    if (d.kind === 'duty') {
      d.items = reminders
        .filter((r) => r.digestId === d.id)
        .sort((a, b) => a.obligation.dueAt.getTime() - b.obligation.dueAt.getTime() || a.obligation.id - b.obligation.id)
        .map((r) => ({ obligationId: r.obligation.id, title: r.obligation.title, stage: r.stage, dueAt: r.obligation.dueAt }));
    }
  }
}

/**
 * One send job per digest; the job id is deterministic, so handing a digest out twice adds nothing.
 * With `revive`, a job kept as failed (its attempts spent while Lark was down) is retried.
 */
export async function enqueueDigests(queue: JobQueue, digests: readonly ClaimedDigest[], o: { revive?: boolean } = {}): Promise<void> {
  if (!digests.length) return;
  await queue.enqueueMany(digests.map((d) => ({ name: SEND_REMINDER_JOB, data: { digestId: d.id }, jobId: d.jobId })));
  if (o.revive) await queue.reviveFailed(digests.map((d) => d.jobId));
}

/** A tick and its jobs: what the cron runs in every process. */
export async function runReminderTick(deps: TickDeps & Pick<Deps, 'queue'>, o: TickOptions): Promise<TickResult> {
  const r = await reminderTick(deps, o);
  if (!o.dryRun) {
    await enqueueDigests(deps.queue, r.digests);
    await enqueueDigests(deps.queue, r.requeued, { revive: true });
  }
  const log = deps.log.child({ part: 'reminder-tick' });
  if (r.digests.length || r.requeued.length || r.planned.created || Object.values(r.skipped).some(Boolean)) {
    log.info(
      { at: r.at.toISOString(), planned: r.planned, skipped: r.skipped, digests: r.digests.length, requeued: r.requeued.length, ms: Math.round(r.ms) },
      'reminder tick',
    );
  }
  return r;
}
