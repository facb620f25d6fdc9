// Where a report goes: which of several duties a text is about (inferDuty on what the person's
// liaison points and the text's date say), and whether its date falls in the duty's period.
import type { Deps } from '../deps.js';
import { beijingStartOfDay } from '../domain/calendar/working-days.js';
import type { DutyRule } from '../domain/duties/catalog.js';
import { periodOf, periodOfKey } from '../domain/duties/periods.js';
import { parseAllDates } from '../domain/reports/dates.js';
import { inferDuty, type Inference } from '../domain/reports/infer-duty.js';
import { findOrg } from '../domain/reports/parse-report.js';
import type { Obligation, Person } from '../generated/prisma/client.js';
import type { PeriodMismatch } from './cards.js';

/** Rank the candidate duties for a report text; `chosen` when one clearly fits. */
export async function inferFor(deps: Deps, person: Pick<Person, 'id'>, text: string, candidates: Obligation[]): Promise<Inference<Obligation>> {
  const points = await deps.db.liaisonPoint.findMany({ where: { personId: person.id, active: true }, select: { org: { select: { id: true, name: true } } } });
  const named = findOrg(text, points.map((p) => p.org));
  const reportDay = parseAllDates(text, deps.clock())[0]?.day;
  return inferDuty({
    text,
    candidates,
    ...(reportDay ? { reportDay } : {}),
    ...(named && named.orgs.length === 1 ? { liaisonPoint: named.alias } : {}),
  });
}

/**
 * The report's date (its first date field) outside its duty's period: that period, and the person's
 * duty of the same kind for the period the date falls in, if there is one. Duties without a
 * calendar period (list items, projects, one-off rectifications) are never questioned.
 */
export async function periodMismatch(deps: Deps, ob: Obligation, rule: DutyRule, fields: Record<string, unknown>): Promise<PeriodMismatch | undefined> {
  if (rule.recurrence.kind === 'set') return undefined;
  const dateField = rule.evidence.find((f) => f.type === 'date');
  const day = dateField ? fields[dateField.key] : undefined;
  const own = periodOfKey(ob.periodKey);
  if (typeof day !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(day) || !own) return undefined;
  if (day >= own.firstDay && day <= own.lastDay) return undefined;
  const period = periodOf(own.kind, beijingStartOfDay(day));
  const other = await deps.db.obligation.findFirst({
    where: { ruleCode: ob.ruleCode, ownerKey: ob.ownerKey, subjectKey: ob.subjectKey, periodKey: period.key, status: { not: 'CANCELLED' } },
  });
  return { day, ownLabel: own.label, ...(other ? { other: { id: other.id, label: period.label, late: other.dueAt < deps.clock() } } : {}) };
}
