import type { Db } from '../db/client.js';
import { beijingDay, beijingStartOfDay, type WorkingCalendar } from '../domain/calendar/working-days.js';
import { findRule, type Catalog } from '../domain/duties/catalog.js';
import { reminderRecipients, reminderRows, type ReminderRow, type UnitMember } from '../domain/reminders/schedule.js';
import type { Role } from '../generated/prisma/enums.js';

/** A Prisma client or an interactive transaction. */
export type DbTx = Pick<Db, 'obligation' | 'person' | 'reminder' | 'reminderDigest' | 'unit' | '$queryRaw' | '$executeRaw'>;

export interface MaterialiseOptions {
  catalog: Catalog;
  calendar: WorkingCalendar;
  now: Date;
  /** Obligations read per batch. */
  batchSize?: number;
  /** Stop after this many batches (the tick bounds its work); default: until none is left. */
  maxBatches?: number;
}

export interface MaterialiseResult {
  /** Obligations looked at (now marked as planned). */
  obligations: number;
  /** Reminder rows written. */
  created: number;
  /** Whether obligations are still waiting (maxBatches reached). */
  more: boolean;
}

/**
 * Write the Reminder rows of every obligation not planned yet (Obligation.remindersPlannedAt is
 * null; an index finds them, so with nothing to plan this costs one index probe). Idempotent: rows
 * go in through the unique key (obligationId, stage, recipientId), and an obligation is marked
 * planned in the same batch. Only OPEN obligations get rows; the others are just marked.
 */
export async function materialiseReminders(db: DbTx, o: MaterialiseOptions): Promise<MaterialiseResult> {
  const batchSize = o.batchSize ?? 2000;
  const today = beijingDay(o.now);
  let obligations = 0;
  let created = 0;
  for (let batch = 0; ; batch++) {
    if (o.maxBatches !== undefined && batch >= o.maxBatches) {
      const left = await db.obligation.findFirst({ where: { remindersPlannedAt: null }, select: { id: true } });
      return { obligations, created, more: left !== null };
    }
    const obs = await db.obligation.findMany({
      where: { remindersPlannedAt: null },
      select: { id: true, ruleCode: true, unitId: true, personId: true, dueAt: true, status: true },
      // No ORDER BY: the remindersPlannedAt index finds the unplanned rows; each batch marks its own.
      take: batchSize,
    });
    if (obs.length === 0) return { obligations, created, more: false };

    const rows = await plannedRows(db, obs.filter((ob) => ob.status === 'OPEN'), o.catalog, o.calendar, today);
    for (let i = 0; i < rows.length; i += 5000) {
      const res = await db.reminder.createMany({
        data: rows.slice(i, i + 5000).map((r) => ({ ...r, sendOn: beijingStartOfDay(r.sendOn) })),
        skipDuplicates: true,
      });
      created += res.count;
    }
    await db.obligation.updateMany({ where: { id: { in: obs.map((ob) => ob.id) }, remindersPlannedAt: null }, data: { remindersPlannedAt: o.now } });
    obligations += obs.length;
    if (obs.length < batchSize) return { obligations, created, more: false };
  }
}

/** The Reminder rows of open obligations, dated by `calendar` (stages before `today` left out as reminderRows says). */
export async function plannedRows(
  db: Pick<DbTx, 'person'>,
  open: readonly { id: number; ruleCode: string; unitId: number; personId: number | null; dueAt: Date }[],
  catalog: Catalog,
  calendar: WorkingCalendar,
  today: string,
): Promise<ReminderRow[]> {
  const unitIds = [...new Set(open.map((ob) => ob.unitId))];
  const people = unitIds.length
    ? await db.person.findMany({
        where: { unitId: { in: unitIds }, active: true, role: { in: ['SECRETARY', ...organiserRoles(catalog)] } },
        select: { id: true, unitId: true, role: true },
      })
    : [];
  const members = new Map<number, UnitMember[]>();
  for (const p of people) {
    const list = members.get(p.unitId) ?? [];
    list.push({ id: p.id, role: p.role });
    members.set(p.unitId, list);
  }
  const rows: ReminderRow[] = [];
  for (const ob of open) {
    const rule = findRule(catalog, ob.ruleCode);
    if (!rule) continue;
    rows.push(...reminderRows(ob, rule, reminderRecipients(rule, ob, members.get(ob.unitId) ?? []), calendar, today));
  }
  return rows;
}

function organiserRoles(catalog: Catalog): Role[] {
  return [...new Set(catalog.rules.map((r) => r.organiserRole).filter((r): r is NonNullable<typeof r> => r !== null))];
}
