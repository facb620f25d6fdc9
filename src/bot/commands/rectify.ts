import { can } from '../../access/policy.js';
import { card, esc, hr, md } from '../../cards/card.js';
import { beijingDay } from '../../domain/calendar/working-days.js';
import { monthsRunning, weakSubjectKey } from '../../domain/oversight/weak-org-plan.js';
import { matchUnit } from '../../domain/stats/unit-match.js';
import { AppError } from '../../errors.js';
import { liftMark, markWeak, monthsText, openRectifications, type RectificationView } from '../../oversight/weak-orgs.js';
import { requirePerson } from '../../people/lookup.js';
import { forbidden, scopeOf } from '../../stats/view.js';
import type { Deps } from '../../deps.js';
import type { Command } from './command.js';

const MARK = new Set(['标记', 'mark']);
const LIFT = new Set(['销号', 'lift']);
/** Records shown in one card; the rest are counted. */
const MAX_SHOWN = 30;

export const rectify: Command = {
  name: 'rectify',
  zh: '整顿',
  summary: '软弱涣散党组织整顿记录：整顿时长、进展报告、逾期和联系领导（区委组织部可标记、销号）',
  usage: '/整顿 · /整顿 标记 <组织编号或名称> · /整顿 销号 <组织编号或名称> [说明]',
  async run(ctx, args) {
    const { deps, msg } = ctx;
    const person = await requirePerson(deps, msg.senderOpenId);
    const now = deps.clock();
    const [verb = '', query = '', ...noteWords] = args.trim().split(/\s+/).filter(Boolean);

    if (MARK.has(verb.toLowerCase()) || LIFT.has(verb.toLowerCase())) {
      if (!can(person.role, 'weakorg.mark')) throw forbidden('weakorg.mark');
      const org = await findOrg(deps, query, verb);
      if (MARK.has(verb.toLowerCase())) {
        const { recordId } = await markWeak(deps, org, person, now);
        const first = await deps.db.obligation.findFirst({ where: { subjectKey: weakSubjectKey(recordId) }, orderBy: { dueAt: 'asc' }, select: { periodKey: true, dueAt: true } });
        await ctx.replyText(
          `已将${org.name}（${org.unitName}）标记为软弱涣散党组织，自 ${beijingDay(now)} 起整顿。` +
            (first
              ? `${org.unitName}须每月报告一次整顿进展，第一次为 ${first.periodKey}（${beijingDay(first.dueAt)} 前），直至区委组织部销号。`
              : `${org.unitName}须每月报告一次整顿进展，直至区委组织部销号（下一年度的进展报告在生成该年度责任时列入）。`),
        );
      } else {
        const r = await liftMark(deps, org, person, noteWords.join(' '), now);
        const lines = [`已为${org.name}（${org.unitName}）销号，整顿记录已关闭${r.since ? `（自 ${beijingDay(r.since)} 起整顿${monthsText(monthsRunning(r.since, now))}）` : ''}。`];
        if (r.cancelled) lines.push(`取消尚未到期的整顿进展报告 ${r.cancelled} 项（此前逾期未报的仍计入考核）。`);
        if (r.notified.length) lines.push(`已通知书记：${r.notified.join('、')}。`);
        if (r.notReached.length) lines.push(`未能通知：${r.notReached.join('、')}（请另行告知）。`);
        await ctx.replyText(lines.join('\n'));
      }
      return;
    }
    if (verb) throw new AppError('bad_input', `看不懂“${verb}”。用法：${rectify.usage}`);

    const scope = scopeOf(person);
    if (!scope) throw forbidden('unit.view');
    const rows = await openRectifications(deps.db, { unitId: scope.kind === 'unit' ? scope.unitId : undefined, now, catalog: deps.catalog.current });
    const elements = rows.slice(0, MAX_SHOWN).flatMap((r, i) => [...(i ? [hr()] : []), md(recordText(r))]);
    if (!rows.length) elements.push(md(scope.kind === 'unit' ? `${esc(scope.unitName)}目前没有正在整顿的软弱涣散党组织。` : '全区目前没有正在整顿的软弱涣散党组织。'));
    if (rows.length > MAX_SHOWN) elements.push(md(`另有 ${rows.length - MAX_SHOWN} 个未列出。`));
    if (can(person.role, 'weakorg.mark')) elements.push(hr(), md('标记：/整顿 标记 <组织编号或名称>\n销号：/整顿 销号 <组织编号或名称> [说明]'));
    await ctx.replyCard(
      card({
        title: `软弱涣散党组织整顿（${rows.length} 个）`,
        subtitle: scope.kind === 'unit' ? scope.unitName : '全区',
        template: rows.some((r) => r.progress.overdue > 0) ? 'red' : 'orange',
        elements,
      }),
    );
  },
};

function recordText(r: RectificationView): string {
  const p = r.progress;
  return [
    `**${esc(r.orgName)}**（${esc(r.orgCode)}）　${esc(r.unitName)}`,
    `自 ${beijingDay(r.since)} 起整顿${monthsText(r.months)}`,
    `进展报告：已报 ${p.made} 次 / 应报 ${p.owed} 次　最近一次：${r.latestReportAt ? beijingDay(r.latestReportAt) : '尚未报告'}${p.overdue ? `　🔴 逾期 ${p.overdue} 次` : ''}`,
    `联系领导：${r.leaders.length ? esc(r.leaders.join('、')) : '暂无（请确定联系点）'}`,
  ].join('\n');
}

/** The active org named by `query` (code, exact name, or the only name containing it). */
async function findOrg(deps: Pick<Deps, 'db'>, query: string, verb: string): Promise<{ id: number; name: string; unitId: number; unitName: string }> {
  if (!query) throw new AppError('bad_input', `请写明组织编号或名称，如：/整顿 ${verb} G0102`);
  const orgs = await deps.db.grassrootsOrg.findMany({
    where: { active: true },
    select: { id: true, code: true, name: true, unitId: true, unit: { select: { name: true } } },
    orderBy: { code: 'asc' },
  });
  const m = matchUnit(query, orgs);
  const list = (os: typeof orgs) => os.map((o) => `${o.name}（${o.code}）`).join('、');
  if (m.kind === 'ambiguous') throw new AppError('bad_input', `“${query}”对应多个基层党组织，请写组织编号或更完整的名称：${list(m.candidates)}`);
  if (m.kind === 'none') {
    throw new AppError('not_found', `没有找到“${query}”这个基层党组织。${m.candidates.length ? `您是否要找：${list(m.candidates)}` : '请核对花名册中的组织编号或名称。'}`);
  }
  return { id: m.unit.id, name: m.unit.name, unitId: m.unit.unitId, unitName: m.unit.unit.name };
}
