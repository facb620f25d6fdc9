import type { Db } from '../db/client.js';
import type { Obligation, Person } from '../generated/prisma/client.js';

/** Jan 1 00:00 in Beijing of the year `now` falls in (Beijing time). */
function beijingYearStart(now: Date): Date {
  const y = new Date(now.getTime() + 8 * 3600_000).getUTCFullYear();
  return new Date(Date.UTC(y - 1, 11, 31, 16));
}

/**
 * What a person still owes at `now`: open obligations of the current period and any left over
 * from earlier periods, overdue first. Includes unit duties they answer for.
 */
export async function outstandingFor(db: Db, person: Pick<Person, 'id'>, now: Date): Promise<Obligation[]> {
  const rows = await db.obligation.findMany({
    where: { personId: person.id, status: 'OPEN', periodStart: { lte: now } },
    orderBy: [{ dueAt: 'asc' }, { id: 'asc' }],
  });
  return rows;
}

/** All of a person's obligations of the year (not cancelled), by due date. */
export async function yearOf(db: Db, person: Pick<Person, 'id'>, now: Date): Promise<Obligation[]> {
  return db.obligation.findMany({
    where: { personId: person.id, status: { not: 'CANCELLED' }, periodStart: { gte: beijingYearStart(now) } },
    orderBy: [{ dueAt: 'asc' }, { id: 'asc' }],
  });
}

/** How many of a person's obligations of the current period are done. */
export async function doneThisPeriod(db: Db, person: Pick<Person, 'id'>, now: Date): Promise<number> {
  return db.obligation.count({ where: { personId: person.id, status: 'DONE', periodStart: { lte: now }, dueAt: { gte: now } } });
}

/** The obligations a reply is about: those of the reminders the replied-to message carried. */
export async function obligationsOfReminderMessage(db: Db, messageIds: string[]): Promise<Obligation[] | null> {
  const ids = messageIds.filter(Boolean);
  if (!ids.length) return null;
  const reminders = await db.reminder.findMany({ where: { messageId: { in: ids } }, select: { obligationId: true } });
  if (!reminders.length) return null;
  return db.obligation.findMany({ where: { id: { in: [...new Set(reminders.map((r) => r.obligationId))] } }, orderBy: { dueAt: 'asc' } });
}
