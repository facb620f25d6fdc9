// The statistics card shared by /统计 (district or unit) and /单位 (one unit).
import { card, esc, hr, md, type Element } from '../cards/card.js';
import type { Deps } from '../deps.js';
import type { Period } from '../domain/duties/periods.js';
import { chartSubset, percentText, summaryOf, worstFirst, type Counts, type Summary } from '../domain/stats/aggregate.js';
import { rateChart, rateValues } from '../domain/stats/chart.js';
import { activeUnits, countsDueIn, overdueIn } from './queries.js';
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
  const span = { from: period.start, to: period.end, now, ...(scope.kind === 'unit' ? { unitId: scope.unitId } : {}) };
  const [counts, overdue, units] = await Promise.all([
    countsDueIn(deps.db, span),
    overdueIn(deps.db, { ...span, limit: TOP_OVERDUE }),
    scope.kind === 'district' ? activeUnits(deps.db) : Promise.resolve([]),
  ]);
  const total = summaryOf(counts.total);
  const byDuty = [...counts.byDuty]
    .map(([code, c]) => [code, summaryOf(c)] as const)
    .sort((a, b) => dutyOrder(catalog, a[0]) - dutyOrder(catalog, b[0]) || a[0].localeCompare(b[0]));
  const elements: Element[] = [
    md(
      total.total
        ? `应完成 **${total.total}** 项，已完成 **${total.done}** 项　完成率 **${percentText(total.completionRate)}**　按时率 **${percentText(total.onTimeRate)}**　逾期 **${total.overdue}** 项`
        : '本期还没有到期的事项。',
    ),
  ];

  let chartGroups: Array<{ name: string; summary: Summary }>;
  let chartTitle = `各类责任完成率与按时率（${period.label}）`;
  if (scope.kind === 'district') {
    const unitGroups = units
      .map((u) => ({ id: u.id, name: u.name, counts: counts.byUnit.get(u.id) }))
      .filter((g): g is { id: number; name: string; counts: Counts } => !!g.counts && g.counts.total > 0)
      .map((g) => ({ id: g.id, name: g.name, summary: summaryOf(g.counts) }));
    elements.push(hr(), md('**按单位**'));
    const worst = worstFirst(unitGroups);
    elements.push(md(worst.slice(0, MAX_UNIT_LINES).map((g) => line(g.name, g.summary)).join('\n') || '（无）'));
    if (worst.length > MAX_UNIT_LINES) elements.push(md(`另有 ${worst.length - MAX_UNIT_LINES} 个单位未列出。`));
    // A card carries at most 30 KB: with more units than lines, the chart shows the units listed (in unit order).
    chartGroups = chartSubset(unitGroups, MAX_UNIT_LINES);
    chartTitle = unitGroups.length > MAX_UNIT_LINES ? `逾期最多的 ${MAX_UNIT_LINES} 个单位完成率与按时率（${period.label}）` : `各单位完成率与按时率（${period.label}）`;
  } else {
    chartGroups = byDuty.map(([code, s]) => ({ name: dutyName(catalog, code), summary: s }));
  }
  const values = rateValues(chartGroups);
  if (values.length) elements.push(rateChart(chartTitle, values));

  elements.push(hr(), md('**按责任类型**'));
  elements.push(md(byDuty.filter(([, s]) => s.total > 0).map(([code, s]) => line(dutyName(catalog, code), s)).join('\n') || '（无）'));

  elements.push(hr(), md(`**逾期事项**${total.overdue > TOP_OVERDUE ? `（前 ${TOP_OVERDUE} 项，共 ${total.overdue} 项）` : ''}`));
  elements.push(md(overdue.length ? overdue.map((r) => overdueLine(r, now, deps.calendar, { unit: scope.kind === 'district' })).join('\n') : '没有逾期事项。'));

  return card({
    title: `${scope.kind === 'district' ? '全区' : scope.unitName}党建责任统计`,
    subtitle: `${period.label}（${period.firstDay} 至 ${period.lastDay}）`,
    template: total.overdue ? 'red' : total.total > 0 && total.done === total.total ? 'green' : 'blue',
    elements,
  });
}
