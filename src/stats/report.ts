// The statistics card shared by /统计 (district or unit) and /单位 (one unit).
import { card, esc, hr, md, type Element } from '../cards/card.js';
import type { Deps } from '../deps.js';
import type { Period } from '../domain/duties/periods.js';
import { percentText, summariseBy, summarise, topOverdue, type Summary } from '../domain/stats/aggregate.js';
import { rateChart, rateValues } from '../domain/stats/chart.js';
import { activeUnits, rowsDueIn } from './queries.js';
import { dutyName, dutyOrder, overdueLine, type Scope } from './view.js';

const TOP_OVERDUE = 10;
const MAX_UNIT_LINES = 30;

function line(name: string, s: Summary): string {
  return `**${esc(name)}**　完成率 ${percentText(s.completionRate)}（${s.done}/${s.total}）　按时率 ${percentText(s.onTimeRate)}　逾期 ${s.overdue}`;
}

/**
 * Completion rate (DONE / counted), on-time rate (DONE and not late / DONE) and overdue count for the
 * period, overall, by unit (district scope) and by duty type, with a chart and the top overdue items.
 * Counted: due in the period, not cancelled, and either due by `now` or already done.
 */
export async function statsCard(deps: Deps, scope: Scope, period: Period, now: Date): Promise<Record<string, unknown>> {
  const catalog = deps.catalog.current;
  const rows = await rowsDueIn(deps.db, { from: period.start, to: period.end, ...(scope.kind === 'unit' ? { unitId: scope.unitId } : {}) });
  const total = summarise(rows, now);
  const byDuty = [...summariseBy(rows, (r) => r.ruleCode, now)].sort((a, b) => dutyOrder(catalog, a[0]) - dutyOrder(catalog, b[0]));
  const elements: Element[] = [
    md(
      total.total
        ? `应完成 **${total.total}** 项，已完成 **${total.done}** 项　完成率 **${percentText(total.completionRate)}**　按时率 **${percentText(total.onTimeRate)}**　逾期 **${total.overdue}** 项`
        : '本期还没有到期的事项。',
    ),
  ];

  let chartGroups: Array<{ name: string; summary: Summary }>;
  if (scope.kind === 'district') {
    const units = await activeUnits(deps.db);
    const byUnit = summariseBy(rows, (r) => r.unitId, now);
    const unitGroups = units.map((u) => ({ name: u.name, summary: byUnit.get(u.id) })).filter((g): g is { name: string; summary: Summary } => !!g.summary && g.summary.total > 0);
    chartGroups = unitGroups;
    elements.push(hr(), md('**按单位**'));
    const worst = [...unitGroups].sort((a, b) => b.summary.overdue - a.summary.overdue || (a.summary.completionRate ?? 1) - (b.summary.completionRate ?? 1));
    elements.push(md(worst.slice(0, MAX_UNIT_LINES).map((g) => line(g.name, g.summary)).join('\n') || '（无）'));
    if (worst.length > MAX_UNIT_LINES) elements.push(md(`另有 ${worst.length - MAX_UNIT_LINES} 个单位未列出。`));
  } else {
    chartGroups = byDuty.map(([code, s]) => ({ name: dutyName(catalog, code), summary: s }));
  }
  const values = rateValues(chartGroups);
  if (values.length) elements.push(rateChart(scope.kind === 'district' ? `各单位完成率与按时率（${period.label}）` : `各类责任完成率与按时率（${period.label}）`, values));

  elements.push(hr(), md('**按责任类型**'));
  elements.push(md(byDuty.filter(([, s]) => s.total > 0).map(([code, s]) => line(dutyName(catalog, code), s)).join('\n') || '（无）'));

  const overdue = topOverdue(rows, now, TOP_OVERDUE);
  elements.push(hr(), md(`**逾期事项**${total.overdue > TOP_OVERDUE ? `（前 ${TOP_OVERDUE} 项，共 ${total.overdue} 项）` : ''}`));
  elements.push(md(overdue.length ? overdue.map((r) => overdueLine(r, now, deps.calendar, { unit: scope.kind === 'district' })).join('\n') : '没有逾期事项。'));

  return card({
    title: `${scope.kind === 'district' ? '全区' : scope.unitName}党建责任统计`,
    subtitle: `${period.label}（${period.firstDay} 至 ${period.lastDay}）`,
    template: total.overdue ? 'orange' : 'red',
    elements,
  });
}
