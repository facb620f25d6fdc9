import { beijingDay, workingDaysBetween, type WorkingCalendar } from '../domain/calendar/working-days.js';
import { citation, findRule, type Catalog } from '../domain/duties/catalog.js';
import type { ObligationStatus } from '../generated/prisma/enums.js';

export interface ObligationView {
  title: string;
  ruleCode: string;
  dueAt: Date;
  status: ObligationStatus;
  requiredCount: number;
  doneCount: number;
  late: boolean;
}

const WEEKDAY = ['日', '一', '二', '三', '四', '五', '六'];

/** '2026年11月30日（星期一）' for a Beijing day. */
export function dayZh(day: string): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const wd = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
  return `${y}年${m}月${d}日（星期${WEEKDAY[wd]}）`;
}

/**
 * How an obligation reads to a user at `now`: its state, due date, working days left or days late,
 * progress for "at least N", and its basis in the policy. Pure.
 */
export function describeObligation(ob: ObligationView, now: Date, catalog: Catalog, cal: WorkingCalendar) {
  const today = beijingDay(now);
  const dueDay = beijingDay(ob.dueAt);
  const overdue = ob.status === 'OPEN' && ob.dueAt < now;
  let state: string;
  let daysLeft: number | null = null;
  if (ob.status === 'DONE') state = ob.late ? '已完成（逾期完成）' : '已完成';
  else if (ob.status === 'CANCELLED') state = '已取消';
  else if (ob.status === 'SUBMITTED') state = ob.dueAt < now ? '已提交（逾期提交），待组织部验收' : '已提交，待组织部验收';
  else if (overdue) state = `已逾期 ${workingDaysBetween(dueDay, today, cal)} 个工作日`;
  else {
    const left = workingDaysBetween(today, dueDay, cal);
    daysLeft = left;
    state = left === 0 ? '今天截止' : `还剩 ${left} 个工作日`;
  }
  const rule = findRule(catalog, ob.ruleCode);
  return {
    overdue,
    /** Working days left of an open duty not yet overdue (0: due today); null otherwise */
    daysLeft,
    state,
    due: `截止：${dayZh(dueDay)}`,
    progress: ob.requiredCount > 1 ? `进度：${ob.doneCount}/${ob.requiredCount}` : '',
    basis: rule ? citation(rule) : '',
  };
}
