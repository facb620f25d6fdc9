// On which working days to remind about an obligation. Pure.
//
// The due day is the Beijing day of the last instant before dueAt (dueAt 2026-11-30 23:59:59.999 and
// dueAt 2026-12-01 00:00 both mean "by the end of 30 November").
// - 'before-N': N working days before the due day (N = 0: the due day, or the last working day before
//   it if it is a holiday). Two stages landing on the same day are sent once, as the one with the smaller N.
// - 'overdue': overdueAfterDays working days after the due day (1 = the first working day after it).
// - 'escalate': escalateAfterWorkingDays working days after the due day.
import { addWorkingDays, beijingDay, workingDayOnOrBefore } from '../calendar/working-days.js';
import type { WorkingCalendar } from '../calendar/working-days.js';
import type { ReminderPolicy } from './catalog.js';

export interface ReminderStage {
  /** 'before-5', 'overdue', 'escalate': the Reminder.stage column */
  stage: string;
  kind: 'before' | 'overdue' | 'escalate';
  /** Working day on which to send it, 'YYYY-MM-DD' Beijing time */
  sendOn: string;
}

/** The Beijing day by the end of which an obligation due at `dueAt` must be done. */
export function dueDayOf(dueAt: Date): string {
  return beijingDay(new Date(dueAt.getTime() - 1));
}

/**
 * The reminder stages of an obligation, in date order. With `notBefore` ('YYYY-MM-DD'), stages that
 * fall before that day (already past when the obligation was created) are left out.
 */
export function reminderStages(
  rule: { reminders: ReminderPolicy },
  dueAt: Date,
  cal: WorkingCalendar,
  options: { notBefore?: string } = {},
): ReminderStage[] {
  const { beforeWorkingDays, overdueAfterDays, escalateAfterWorkingDays } = rule.reminders;
  const dueDay = dueDayOf(dueAt);

  const byDay = new Map<string, number>();
  for (const n of beforeWorkingDays) {
    const day = n === 0 ? workingDayOnOrBefore(dueDay, cal) : addWorkingDays(dueDay, -n, cal);
    const other = byDay.get(day);
    if (other === undefined || n < other) byDay.set(day, n);
  }
  const stages: ReminderStage[] = [...byDay].map(([sendOn, n]) => ({ stage: `before-${n}`, kind: 'before', sendOn }));
  stages.push({ stage: 'overdue', kind: 'overdue', sendOn: addWorkingDays(dueDay, overdueAfterDays, cal) });
  stages.push({ stage: 'escalate', kind: 'escalate', sendOn: addWorkingDays(dueDay, escalateAfterWorkingDays, cal) });

  const order = { before: 0, overdue: 1, escalate: 2 };
  return stages
    .filter((s) => options.notBefore === undefined || s.sendOn >= options.notBefore)
    .sort((a, b) => a.sendOn.localeCompare(b.sendOn) || order[a.kind] - order[b.kind]);
}
