// The progress reports owed for weak-and-lax (软弱涣散) orgs under rectification (duty 10, 四(一)3).
// Pure: records, the rule and `now` come in, PlannedObligation rows come out; the caller writes them
// through the obligation's unique key (insertPlanned), so planning again changes nothing.
//
// Rules:
// - One obligation per rectification record and period of the rule's recurrence (monthly in the
//   shipped catalog), owned by the org's unit ('u<unitId>'), personId the unit's accountable person
//   (null if none), subjectKey 'weak:<recordId>', periodKey the period key ('2026-12'), due at the
//   period's end (dueSlots).
// - The first period owed is the first whose due instant is at least 15 days (FIRST_REPORT_AFTER_DAYS)
//   after `since`: an org marked on 26 November owes its first report for December, not for the four
//   days left of November; one marked on 10 November owes November's.
// - Nothing already due at `now` is planned (as planObligations), and nothing due after `liftedAt`.
import { beijingDay } from '../calendar/working-days.js';
import type { DutyRule } from '../duties/catalog.js';
import { dueSlots, type PlannedObligation } from '../duties/plan.js';

export const FIRST_REPORT_AFTER_DAYS = 15;

const DAY_MS = 24 * 3600_000;

export interface WeakOrgRecord {
  id: number;
  orgId: number;
  orgName: string;
  unitId: number;
  since: Date;
  liftedAt: Date | null;
}

export interface WeakOrgPlanInput {
  records: readonly WeakOrgRecord[];
  rule: DutyRule;
  /** unitId → the unit's accountable person (the active holder of rule.accountableRole with the lowest id). */
  accountable: ReadonlyMap<number, number>;
  year: number;
  now: Date;
}

/** The subjectKey of a record's obligations. */
export function weakSubjectKey(recordId: number): string {
  return `weak:${recordId}`;
}

/** The obligations the records owe in `year`, by record then period. See the rules at the top. */
export function planWeakOrgObligations({ records, rule, accountable, year, now }: WeakOrgPlanInput): PlannedObligation[] {
  const slots = dueSlots(rule, year).filter((s) => s.dueAt > now);
  const out: PlannedObligation[] = [];
  for (const r of [...records].sort((a, b) => a.id - b.id)) {
    const firstDue = r.since.getTime() + FIRST_REPORT_AFTER_DAYS * DAY_MS;
    for (const slot of slots) {
      if (slot.dueAt.getTime() < firstDue) continue;
      if (r.liftedAt && slot.dueAt > r.liftedAt) continue;
      out.push({
        ruleCode: rule.code,
        ownerKey: `u${r.unitId}`,
        unitId: r.unitId,
        personId: accountable.get(r.unitId) ?? null,
        periodKey: slot.period.key,
        subjectKey: weakSubjectKey(r.id),
        title: `${slot.period.label} ${r.orgName}软弱涣散整顿进展`,
        periodStart: slot.periodStart,
        dueAt: slot.dueAt,
        requiredCount: rule.recurrence.kind === 'set' ? 1 : rule.recurrence.count,
      });
    }
  }
  return out;
}

/** Whole calendar months (Beijing days) from `since` to `now`: 5 January → 26 November is 10. */
export function monthsRunning(since: Date, now: Date): number {
  const [sy, sm, sd] = beijingDay(since).split('-').map(Number) as [number, number, number];
  const [ny, nm, nd] = beijingDay(now).split('-').map(Number) as [number, number, number];
  const months = (ny - sy) * 12 + (nm - sm) - (nd < sd ? 1 : 0);
  return Math.max(0, months);
}

export interface RectificationProgress {
  /** Progress reports made: obligations DONE */
  made: number;
  /** Owed so far: obligations due by now, or already done */
  owed: number;
  /** OPEN and past due */
  overdue: number;
}

/** A record's progress from its (not cancelled) obligations, counted like the statistics (docs/oversight.md). */
export function rectificationProgress(obligations: readonly { status: string; dueAt: Date }[], now: Date): RectificationProgress {
  const live = obligations.filter((o) => o.status !== 'CANCELLED');
  return {
    made: live.filter((o) => o.status === 'DONE').length,
    owed: live.filter((o) => o.status === 'DONE' || o.dueAt <= now).length,
    overdue: live.filter((o) => o.status === 'OPEN' && o.dueAt < now).length,
  };
}
