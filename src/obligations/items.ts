import { button, buttons, esc, md, type Element } from '../cards/card.js';
import type { WorkingCalendar } from '../domain/calendar/working-days.js';
import type { Catalog } from '../domain/duties/catalog.js';
import { describeObligation, type ObligationView } from './describe.js';

export interface DescribedObligation<T extends ObligationView> {
  ob: T;
  d: ReturnType<typeof describeObligation>;
}

/** Obligations as users read them at `now`, overdue first, then by due date. Pure. */
export function describeAll<T extends ObligationView>(obligations: T[], now: Date, catalog: Catalog, cal: WorkingCalendar): DescribedObligation<T>[] {
  const views = obligations.map((ob) => ({ ob, d: describeObligation(ob, now, catalog, cal) }));
  return views.sort((a, b) => Number(b.d.overdue) - Number(a.d.overdue) || a.ob.dueAt.getTime() - b.ob.dueAt.getTime());
}

/**
 * An open list split for reading: this period's duties (not yet due) first, then the overdue ones,
 * which a backlog would otherwise push out of sight. Pure.
 */
export function splitOverdue<T extends ObligationView>(views: DescribedObligation<T>[]): { current: DescribedObligation<T>[]; overdue: DescribedObligation<T>[] } {
  return { current: views.filter((v) => !v.d.overdue), overdue: views.filter((v) => v.d.overdue) };
}

/** The overdue ones as one group: how many, the first few titles, and how to open them all. */
export function overdueGroup(overdue: DescribedObligation<ObligationView>[], shown = 3): Element[] {
  if (!overdue.length) return [];
  const lines = overdue.slice(0, shown).map((v) => `🔴 ${esc(v.ob.title)}（${v.d.state}）`);
  if (overdue.length > shown) lines.push(`…… 等 ${overdue.length} 项`);
  return [md([`**🔴 已逾期 ${overdue.length} 项**`, ...lines, '发送 `/责任清单 逾期` 查看和填写全部逾期事项。'].join('\n'))];
}

/** Working days left at which a duty counts as due soon (orange). */
export const DUE_SOON_WORKING_DAYS = 5;

/** A list's header colour by meaning: red anything overdue, orange due soon, green nothing open, blue otherwise. */
export function listTemplate(views: DescribedObligation<ObligationView>[]): 'red' | 'orange' | 'green' | 'blue' {
  const open = views.filter((v) => v.ob.status === 'OPEN');
  if (open.some((v) => v.d.overdue)) return 'red';
  if (open.some((v) => v.d.daysLeft !== null && v.d.daysLeft <= DUE_SOON_WORKING_DAYS)) return 'orange';
  return open.length ? 'blue' : 'green';
}

/** One obligation in a card: state, due date, progress, 依据, and 填写报告 while it is open. */
export function obligationItem({ ob, d }: DescribedObligation<ObligationView & { id: number }>): Element[] {
  const mark = ob.status === 'DONE' ? '✅' : d.overdue ? '🔴' : '⏳';
  const els = [md([`${mark} **${esc(ob.title)}**`, `${d.due}　${d.state}${d.progress ? `　${d.progress}` : ''}`, `<font color='grey'>${esc(d.basis)}</font>`].join('\n'))];
  if (ob.status === 'OPEN') els.push(buttons(button('填写报告', { action: 'report.open', obligationId: ob.id }, 'primary')));
  return els;
}
