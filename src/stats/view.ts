// Shared pieces of the oversight replies: who may see what, and how an overdue item reads.
import { can, refusal, type Action } from '../access/policy.js';
import { esc } from '../cards/card.js';
import { beijingDay, workingDaysBetween, type WorkingCalendar } from '../domain/calendar/working-days.js';
import { findRule, type Catalog } from '../domain/duties/catalog.js';
import type { StatRow } from '../domain/stats/aggregate.js';
import { AppError } from '../errors.js';
import type { Role } from '../generated/prisma/enums.js';

export type Scope = { kind: 'district' } | { kind: 'unit'; unitId: number; unitName: string };

/** The widest scope a person may see: the district (OD, district leaders), their unit (secretary, staff), or none. */
export function scopeOf(person: { role: Role; unitId: number; unit: { name: string } }): Scope | null {
  if (can(person.role, 'district.view')) return { kind: 'district' };
  if (can(person.role, 'unit.view')) return { kind: 'unit', unitId: person.unitId, unitName: person.unit.name };
  return null;
}

/** The refusal to throw: audited as deny, shown as one Chinese line. */
export function forbidden(action: Action): AppError {
  return new AppError('forbidden', refusal(action));
}

/** A rule's short Chinese name (or its code when the catalog no longer has it). */
export function dutyName(catalog: Catalog, ruleCode: string): string {
  return findRule(catalog, ruleCode)?.name ?? ruleCode;
}

/** Catalog order of a rule (its number in DOMAIN.md), unknown rules last. */
export function dutyOrder(catalog: Catalog, ruleCode: string): number {
  return findRule(catalog, ruleCode)?.no ?? 999;
}

/** '🔴 **title**　东岸镇 · 梁振华　逾期 12 个工作日' */
export function overdueLine(r: StatRow, now: Date, cal: WorkingCalendar, opts: { unit?: boolean } = {}): string {
  const late = workingDaysBetween(beijingDay(r.dueAt), beijingDay(now), cal);
  const who = [opts.unit === false ? '' : r.unitName, r.personName ?? ''].filter(Boolean).join(' · ');
  return `🔴 ${esc(r.title)}　${esc(who)}　逾期 ${late} 个工作日`;
}
