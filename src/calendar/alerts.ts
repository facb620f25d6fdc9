// What the organisation department must hear about the calendar: a year whose schedule is not
// loaded (from 1 November for next year), and the reminders already planned in such a year, which
// are dated by weekends alone and so may fall on holidays.
import type { Deps } from '../deps.js';
import { scheduleWarning } from '../domain/calendar/schedule.js';
import { beijingDay, beijingStartOfDay, hasKnownSchedule, type WorkingCalendar } from '../domain/calendar/working-days.js';

export interface UnknownYearReminders {
  year: number;
  count: number;
  first: string;
}

/** Pending reminders planned in this year or the next when that year's schedule is not known. */
export async function remindersInUnknownYears(db: Deps['db'], cal: WorkingCalendar, now: Date): Promise<UnknownYearReminders[]> {
  const today = beijingDay(now);
  const year = Number(today.slice(0, 4));
  const out: UnknownYearReminders[] = [];
  for (const y of [year, year + 1]) {
    if (hasKnownSchedule(cal, y)) continue;
    const where = { status: 'PENDING' as const, sendOn: { gte: beijingStartOfDay(y === year ? today : `${y}-01-01`), lt: beijingStartOfDay(`${y + 1}-01-01`) } };
    const [count, first] = await Promise.all([db.reminder.count({ where }), db.reminder.findFirst({ where, orderBy: { sendOn: 'asc' }, select: { sendOn: true } })]);
    if (count && first) out.push({ year: y, count, first: beijingDay(first.sendOn) });
  }
  return out;
}

/** The lines about the calendar for the OD (daily digest, /日历); empty when all is well. */
export async function calendarAlerts(deps: Pick<Deps, 'db' | 'calendar'>, now: Date): Promise<string[]> {
  const warning = scheduleWarning(deps.calendar, now);
  if (!warning) return [];
  const flagged = await remindersInUnknownYears(deps.db, deps.calendar, now);
  return [
    warning,
    ...flagged.map((f) => `已有 ${f.count} 条提醒排在 ${f.year} 年（最早 ${f.first}），是按仅周末休息排定的，录入 ${f.year} 年安排后会自动改期。`),
  ];
}
