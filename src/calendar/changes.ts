// Entering a year's holiday schedule from chat: validate, preview (the working days that change and
// the planned reminders that move), and on 确认 store it in PostgreSQL, re-date the planned
// reminders and audit it, all in one transaction. Every replica picks the entry up (LiveCalendar).
import { audit } from '../access/audit.js';
import { applyOnce, contentHash, createPendingChange, type Tx } from '../changes/pending.js';
import type { Deps } from '../deps.js';
import { changedDays, validateSchedule, type DayChange } from '../domain/calendar/schedule.js';
import { addDays, beijingDay, beijingStartOfDay, withSchedules, type WorkingCalendar, type YearSchedule } from '../domain/calendar/working-days.js';
import { findRule, type Catalog } from '../domain/duties/catalog.js';
import { reminderStages } from '../domain/duties/reminder-plan.js';
import { AppError } from '../errors.js';
import { plannedRows } from '../reminders/materialise.js';
import { LiveCalendar } from './store.js';

export interface ReminderMove {
  obligationId: number;
  title: string;
  stage: string;
  from: string;
  /** null: the stage is no longer needed (it merged with another). */
  to: string | null;
}

export interface SchedulePreview {
  changeId: number;
  hash: string;
  schedule: YearSchedule;
  days: DayChange[];
  moves: ReminderMove[];
  /** How many reminder rows move in all (moves lists them up to a limit). */
  moved: number;
  replaces: boolean;
}

type Db = Deps['db'];

/** Normalised content: the same schedule always hashes the same, whatever order it was typed in. */
function canonical(s: YearSchedule): YearSchedule {
  return {
    year: s.year,
    holidays: [...s.holidays].sort((a, b) => a.from.localeCompare(b.from)).map((h) => ({ name: h.name, from: h.from, to: h.to })),
    workdays: [...new Set(s.workdays)].sort(),
  };
}

function calendarWith(cal: WorkingCalendar, s: YearSchedule, actor: string, at: Date): WorkingCalendar {
  return withSchedules(cal instanceof LiveCalendar ? cal.snapshot : cal, [{ ...s, source: { kind: 'od', by: actor, at, version: 0 } }]);
}

/** Validates and previews the schedule; stores it as a pending change. Throws bad_input listing every problem. */
export async function previewSchedule(deps: Deps, actor: string, input: YearSchedule, via: 'card' | 'file'): Promise<SchedulePreview> {
  const schedule = canonical(input);
  const problems = validateSchedule(schedule);
  if (problems.length) {
    throw new AppError('bad_input', `${schedule.year} 年节假日安排有 ${problems.length} 处问题，未保存：\n${problems.map((p, i) => `${i + 1}. ${p}`).join('\n')}`, { problems });
  }
  const now = deps.clock();
  const after = calendarWith(deps.calendar, schedule, actor, now);
  const days = changedDays(deps.calendar, after, [schedule.year]);
  const { moves, moved } = await reminderMoves(deps.db, deps.catalog.current, after, days, beijingDay(now));
  const { id, hash } = await createPendingChange(deps.db, { kind: 'calendar', hash: contentHash(JSON.stringify(schedule)), payload: { schedule, via }, createdBy: actor });
  return { changeId: id, hash, schedule, days, moves: moves.slice(0, 20), moved, replaces: deps.calendar.knownYears.has(schedule.year) };
}

export interface ScheduleApplied {
  year: number;
  version: number;
  changedDays: number;
  redated: number;
}

/** 确认: applied once (see applyOnce); the local calendar is refreshed at once, the others within their refresh interval. */
export async function confirmSchedule(deps: Deps, ref: { id: number; hash: string; actor: string }) {
  const now = deps.clock();
  const claim = await applyOnce(deps.db, { ...ref, kind: 'calendar', at: now }, async (tx, change) => {
    const { schedule, via } = change.payload as { schedule: YearSchedule; via: string };
    const before = await currentCalendar(deps, tx);
    const row = await tx.calendarSchedule.create({ data: { year: schedule.year, holidays: schedule.holidays, workdays: schedule.workdays, changeId: ref.id, enteredBy: ref.actor, createdAt: now } });
    const after = calendarWith(before, schedule, ref.actor, now);
    const days = changedDays(before, after, [schedule.year]);
    const redated = await redateReminders(tx, deps.catalog.current, after, days, beijingDay(now));
    const result: ScheduleApplied = { year: schedule.year, version: row.id, changedDays: days.length, redated };
    await audit(tx as unknown as Deps['db'], { actorId: ref.actor, action: 'calendar.confirm', result: 'ok', detail: { changeId: ref.id, via, ...result } });
    return result;
  });
  await deps.calendar.refresh(deps.db);
  return claim;
}

/** The calendar as the database has it now (inside the applying transaction, so two entries in a row build on each other). */
async function currentCalendar(deps: Pick<Deps, 'calendar'>, tx: Tx): Promise<WorkingCalendar> {
  const live = new LiveCalendar(deps.calendar.base);
  await live.refresh(tx as unknown as Db);
  return live.snapshot;
}

/** The open obligations whose pending, not yet claimed reminders fall due around the changed days. */
async function affected(db: Pick<Db, 'obligation'>, days: readonly DayChange[]) {
  if (!days.length) return [];
  // Reminder stages reach a few weeks either side of the due day; look well beyond.
  const from = beijingStartOfDay(addDays(days[0]!.day, -62));
  const to = beijingStartOfDay(addDays(days[days.length - 1]!.day, 62));
  return db.obligation.findMany({
    where: { status: 'OPEN', dueAt: { gte: from, lte: to }, reminders: { some: { status: 'PENDING', digestId: null } } },
    select: { id: true, title: true, ruleCode: true, unitId: true, personId: true, dueAt: true, reminders: { where: { status: 'PENDING', digestId: null }, select: { id: true, stage: true, sendOn: true } } },
    orderBy: { dueAt: 'asc' },
  });
}

async function reminderMoves(db: Pick<Db, 'obligation'>, catalog: Catalog, after: WorkingCalendar, days: readonly DayChange[], today: string) {
  const moves: ReminderMove[] = [];
  let moved = 0;
  for (const ob of await affected(db, days)) {
    const rule = findRule(catalog, ob.ruleCode);
    if (!rule) continue;
    const next = new Map(reminderStages(rule, ob.dueAt, after).map((s) => [s.stage, s.sendOn]));
    const seen = new Set<string>();
    for (const r of ob.reminders) {
      const fromDay = beijingDay(r.sendOn);
      const to = next.get(r.stage) ?? null;
      if (to === fromDay) continue;
      moved++;
      if (seen.has(r.stage)) continue; // one line per stage, not per recipient
      seen.add(r.stage);
      moves.push({ obligationId: ob.id, title: ob.title, stage: r.stage, from: fromDay, to: to !== null && to < today ? today : to });
    }
  }
  return { moves, moved };
}

/**
 * Re-dates the pending reminders of the affected obligations: their unclaimed PENDING rows are
 * planned again with the new calendar (rows already sent stay as they are). Returns the rows that moved.
 */
async function redateReminders(tx: Tx, catalog: Catalog, after: WorkingCalendar, days: readonly DayChange[], today: string): Promise<number> {
  const obs = await affected(tx, days);
  const { moved } = await reminderMoves(tx, catalog, after, days, today);
  if (!obs.length || !moved) return 0;
  await tx.reminder.deleteMany({ where: { obligationId: { in: obs.map((o) => o.id) }, status: 'PENDING', digestId: null } });
  const rows = await plannedRows(tx, obs, catalog, after, today);
  for (let i = 0; i < rows.length; i += 5000) {
    await tx.reminder.createMany({ data: rows.slice(i, i + 5000).map((r) => ({ ...r, sendOn: beijingStartOfDay(r.sendOn) })), skipDuplicates: true });
  }
  return moved;
}
