// Who is reminded of an obligation, on which working days (the Reminder rows), and what one tick
// of the reminder planner does with the rows that are due. Pure: `now`/`today` are parameters.
//
// Recipients (see reminderRecipients):
// - a person duty: the person; a unit duty: its accountable person (Obligation.personId) and the
//   active holders of the rule's organiserRole (STAFF) in the unit. They get the 'before-N' and
//   'overdue' stages.
// - 'escalate' goes to the unit's SECRETARY, and only when the owner is someone else.
//
// Rows (see reminderRows): one per (stage, recipient) with sendOn = the stage's working day from
// reminderStages. Stages already past when the rows are planned (an obligation created late, the
// bot starting mid-period) are not all dropped: the latest past 'before-N' moves to today if the
// obligation is not due yet, and a past 'overdue' or 'escalate' moves to today, so a late plan
// still tells people once.
//
// One tick (see planTick) over the PENDING rows with sendOn <= today:
// - rows of obligations no longer OPEN are skipped ('closed'): nothing already reported is reminded;
// - a 'before-N' row of an obligation already past its due instant is skipped ('past-due'): the
//   overdue notice follows;
// - of several due rows of one obligation for one recipient (the bot was down), only the latest
//   stage is sent, the others are skipped ('superseded');
// - what is left is grouped per recipient: one digest card per recipient and day.
import type { ObligationStatus, Role } from '../../generated/prisma/enums.js';
import { addWorkingDays, beijingDay, isWorkingHours, workingDaysBetween, type WorkingCalendar, type WorkingHours } from '../calendar/working-days.js';
import type { DutyRule } from '../duties/catalog.js';
import { dueDayOf, reminderStages } from '../duties/reminder-plan.js';

export type StageKind = 'before' | 'overdue' | 'escalate';

const STAGE_ORDER: Record<StageKind, number> = { before: 0, overdue: 1, escalate: 2 };

/** 'before-5' → 'before'; 'overdue'; 'escalate'. */
export function stageKind(stage: string): StageKind {
  if (stage === 'overdue' || stage === 'escalate') return stage;
  if (/^before-\d+$/.test(stage)) return 'before';
  throw new Error(`unknown reminder stage ${stage}`);
}

/** How urgent a stage is, for ordering: escalate > overdue > before-1 > before-5. */
function stageRank(stage: string): number {
  const kind = stageKind(stage);
  if (kind !== 'before') return 1000 + STAGE_ORDER[kind];
  return 1000 - Number(stage.slice('before-'.length));
}

// ---------------------------------------------------------------- recipients

export interface UnitMember {
  id: number;
  role: Role;
}

export interface Recipients {
  /** Reminded before the due day and told when it is overdue. */
  owners: number[];
  /** Told at the escalation stage (the unit's secretary, when the owner is someone else). */
  escalateTo: number[];
}

/**
 * Who hears about an obligation. `members` are the active people of the obligation's unit (only
 * SECRETARY and the organiser role matter); the secretary with the lowest id is the one escalated to.
 */
export function reminderRecipients(
  rule: Pick<DutyRule, 'owner' | 'organiserRole'>,
  ob: { personId: number | null },
  members: readonly UnitMember[],
): Recipients {
  const owners: number[] = [];
  if (ob.personId !== null) owners.push(ob.personId);
  if (rule.owner === 'unit' && rule.organiserRole) {
    for (const m of [...members].sort((a, b) => a.id - b.id)) {
      if (m.role === rule.organiserRole && !owners.includes(m.id)) owners.push(m.id);
    }
  }
  const secretary = [...members].filter((m) => m.role === 'SECRETARY').sort((a, b) => a.id - b.id)[0];
  const escalateTo = secretary && ob.personId !== null && secretary.id !== ob.personId && !owners.includes(secretary.id) ? [secretary.id] : [];
  return { owners, escalateTo };
}

// ---------------------------------------------------------------- rows

export interface ReminderRow {
  obligationId: number;
  stage: string;
  recipientId: number;
  /** 'YYYY-MM-DD' Beijing day */
  sendOn: string;
}

/** The Reminder rows of one obligation, planned on `today` (see the rules at the top). */
export function reminderRows(
  ob: { id: number; dueAt: Date },
  rule: Pick<DutyRule, 'reminders'>,
  recipients: Recipients,
  cal: WorkingCalendar,
  today: string,
): ReminderRow[] {
  const dueDay = dueDayOf(ob.dueAt);
  const stages = reminderStages(rule, ob.dueAt, cal);
  const chosen: { stage: string; kind: StageKind; sendOn: string }[] = [];
  const pastBefore = stages.filter((s) => s.kind === 'before' && s.sendOn < today);
  for (const s of stages) {
    if (s.sendOn >= today) chosen.push(s);
    else if (s.kind !== 'before') chosen.push({ ...s, sendOn: today });
  }
  const latestPast = pastBefore[pastBefore.length - 1];
  if (latestPast && dueDay >= today && !chosen.some((s) => s.kind === 'before' && s.sendOn === today)) {
    chosen.push({ ...latestPast, sendOn: today });
  }
  const rows: ReminderRow[] = [];
  for (const s of chosen) {
    const to = s.kind === 'escalate' ? recipients.escalateTo : recipients.owners;
    for (const recipientId of to) rows.push({ obligationId: ob.id, stage: s.stage, recipientId, sendOn: s.sendOn });
  }
  return rows;
}

// ---------------------------------------------------------------- one tick

export interface DueReminder {
  id: number;
  obligationId: number;
  stage: string;
  recipientId: number;
  /** 'YYYY-MM-DD' */
  sendOn: string;
  obligation: { status: ObligationStatus; dueAt: Date };
}

export type SkipReason = 'closed' | 'past-due' | 'superseded';

export interface TickPlan {
  skip: { id: number; reason: SkipReason }[];
  /** One per recipient, by recipient id; reminders by obligation. */
  digests: { recipientId: number; reminderIds: number[] }[];
}

/** What one tick at `now` does with the due PENDING reminders (see the rules at the top). */
export function planTick(due: readonly DueReminder[], now: Date): TickPlan {
  const skip: TickPlan['skip'] = [];
  const keep = new Map<string, DueReminder>();
  const superseded = (a: DueReminder, b: DueReminder): boolean =>
    a.sendOn < b.sendOn || (a.sendOn === b.sendOn && stageRank(a.stage) < stageRank(b.stage));

  for (const r of [...due].sort((a, b) => a.id - b.id)) {
    if (r.obligation.status !== 'OPEN') {
      skip.push({ id: r.id, reason: 'closed' });
      continue;
    }
    if (stageKind(r.stage) === 'before' && r.obligation.dueAt.getTime() <= now.getTime()) {
      skip.push({ id: r.id, reason: 'past-due' });
      continue;
    }
    const key = `${r.obligationId}/${r.recipientId}`;
    const other = keep.get(key);
    if (!other) keep.set(key, r);
    else if (superseded(other, r)) {
      skip.push({ id: other.id, reason: 'superseded' });
      keep.set(key, r);
    } else skip.push({ id: r.id, reason: 'superseded' });
  }

  const byRecipient = new Map<number, DueReminder[]>();
  for (const r of keep.values()) {
    const list = byRecipient.get(r.recipientId) ?? [];
    list.push(r);
    byRecipient.set(r.recipientId, list);
  }
  const digests = [...byRecipient]
    .sort(([a], [b]) => a - b)
    .map(([recipientId, rs]) => ({
      recipientId,
      reminderIds: rs.sort((a, b) => a.obligation.dueAt.getTime() - b.obligation.dueAt.getTime() || a.obligationId - b.obligationId).map((r) => r.id),
    }));
  return { skip: skip.sort((a, b) => a.id - b.id), digests };
}

/** Whether reminders may go out at `now`: a working day, within working hours (Beijing time). */
export function maySendAt(now: Date, cal: WorkingCalendar, hours: WorkingHours): boolean {
  return isWorkingHours(now, cal, hours);
}

// ---------------------------------------------------------------- overdue and urgency

/** Working days an obligation due at `dueAt` is late on the Beijing day of `now` (0 if not late). */
export function workingDaysOverdue(dueAt: Date, now: Date, cal: WorkingCalendar): number {
  if (dueAt.getTime() > now.getTime()) return 0;
  return Math.max(0, workingDaysBetween(dueDayOf(dueAt), beijingDay(now), cal));
}

/** Whether Lark's urgent push is due for a card carrying obligations due at `dueAts`; off when threshold is undefined. */
export function needsUrgent(dueAts: readonly Date[], now: Date, cal: WorkingCalendar, threshold: number | undefined): boolean {
  if (threshold === undefined) return false;
  return dueAts.some((d) => d.getTime() <= now.getTime() && workingDaysOverdue(d, now, cal) >= threshold);
}

export interface OverdueItem {
  unitId: number;
  unitName: string;
  obligationId: number;
  title: string;
  ownerName: string | null;
  dueAt: Date;
}

export interface UnitOverdue {
  unitId: number;
  unitName: string;
  count: number;
  /** Working days the oldest item is late */
  maxDays: number;
  /** The oldest few, oldest first */
  examples: (OverdueItem & { days: number })[];
}

/**
 * The organisation department's daily view: overdue items grouped per unit, units with the most
 * overdue first (then the longest late, then by name). `counts` gives each unit's full count when
 * `items` holds only a sample of them.
 */
export function groupOverdueByUnit(
  items: readonly OverdueItem[],
  now: Date,
  cal: WorkingCalendar,
  o: { examplesPerUnit?: number; counts?: ReadonlyMap<number, number> } = {},
): UnitOverdue[] {
  const per = new Map<number, UnitOverdue>();
  const n = o.examplesPerUnit ?? 3;
  for (const it of [...items].sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime() || a.obligationId - b.obligationId)) {
    const days = workingDaysOverdue(it.dueAt, now, cal);
    let u = per.get(it.unitId);
    if (!u) {
      u = { unitId: it.unitId, unitName: it.unitName, count: 0, maxDays: 0, examples: [] };
      per.set(it.unitId, u);
    }
    u.count++;
    u.maxDays = Math.max(u.maxDays, days);
    if (u.examples.length < n) u.examples.push({ ...it, days });
  }
  for (const u of per.values()) u.count = o.counts?.get(u.unitId) ?? u.count;
  return [...per.values()].sort((a, b) => b.count - a.count || b.maxDays - a.maxDays || a.unitName.localeCompare(b.unitName, 'zh'));
}

/** The working day `n` working days after an obligation's due day (for tests and docs). */
export function workingDayAfterDue(dueAt: Date, n: number, cal: WorkingCalendar): string {
  return addWorkingDays(dueDayOf(dueAt), n, cal);
}
