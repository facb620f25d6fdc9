import { can } from '../../access/policy.js';
import { card, esc, hr, md, type Element } from '../../cards/card.js';
import { groupBy, isOverdue, rankByOverdue } from '../../domain/stats/aggregate.js';
import { describeAll, listTemplate, obligationItem, overdueGroup, splitOverdue } from '../../obligations/items.js';
import { outstandingFor } from '../../obligations/queries.js';
import { requirePerson } from '../../people/lookup.js';
import { openItemsOfUnit, overdueByUnit } from '../../stats/queries.js';
import { scopeOf } from '../../stats/view.js';
import type { Command } from './command.js';

const MAX_OWN = 15;
const MAX_PEOPLE = 15;
const MAX_PER_PERSON = 5;
const TOP_UNITS = 20;

export const todo: Command = {
  name: 'todo',
  zh: '待办',
  summary: '您还没完成的党建责任（逾期在前）；书记和党建工作人员另见本单位，区委组织部另见全区逾期排名',
  usage: '/待办（也可直接问“我还有什么没完成”）',
  async run(ctx) {
    const { deps } = ctx;
    const person = await requirePerson(deps, ctx.msg.senderOpenId);
    const now = deps.clock();
    const catalog = deps.catalog.current;
    const own = await outstandingFor(deps.db, person, now);
    const views = describeAll(own, now, catalog, deps.calendar);

    // This period's first; the overdue ones grouped with their count (a backlog would hide this month).
    const { current, overdue } = splitOverdue(views);
    const elements: Element[] = [md('**我的待办**')];
    if (!views.length) elements.push(md('您目前没有未完成的党建责任，谢谢！'));
    for (const v of current.slice(0, MAX_OWN)) elements.push(...obligationItem(v));
    if (current.length > MAX_OWN) elements.push(md(`本期还有 ${current.length - MAX_OWN} 项未列出，发送 /责任清单 全年 查看。`));
    elements.push(...overdueGroup(overdue));

    const scope = scopeOf(person);
    if (scope?.kind === 'unit') {
      const ownIds = new Set(own.map((o) => o.id));
      const items = (await openItemsOfUnit(deps.db, scope.unitId, now)).filter((r) => !ownIds.has(r.id));
      elements.push(hr(), md(`**${esc(scope.unitName)}其他未完成事项**（${items.length} 项，逾期 ${items.filter((r) => isOverdue(r, now)).length} 项）`));
      const byPerson = [...groupBy(items, (r) => r.personName ?? '本单位')];
      byPerson.sort((a, b) => b[1].filter((r) => isOverdue(r, now)).length - a[1].filter((r) => isOverdue(r, now)).length);
      for (const [name, list] of byPerson.slice(0, MAX_PEOPLE)) {
        const lines = list.slice(0, MAX_PER_PERSON).map((r) => `${isOverdue(r, now) ? '🔴' : '⏳'} ${esc(r.title)}`);
        if (list.length > MAX_PER_PERSON) lines.push(`…… 共 ${list.length} 项`);
        elements.push(md([`**${esc(name)}**（${list.length} 项）`, ...lines].join('\n')));
      }
      if (!items.length) elements.push(md('本单位其他人员的事项都已完成。'));
    } else if (scope?.kind === 'district') {
      if (can(person.role, 'inspection.review')) {
        const [pending, mine] = await Promise.all([
          deps.db.obligation.count({ where: { status: 'SUBMITTED' } }),
          deps.db.obligation.count({ where: { status: 'SUBMITTED', finding: { inspection: { inspectorId: person.id } } } }),
        ]);
        if (pending) elements.push(hr(), md(`📝 **待验收的整改报告 ${pending} 项**${mine ? `（其中您记录的督查 ${mine} 项）` : ''}，发送 /督查 列表 查看。`));
      }
      const ranked = rankByOverdue(await overdueByUnit(deps.db, now), TOP_UNITS);
      elements.push(hr(), md(`**全区逾期事项最多的单位**（前 ${TOP_UNITS}）`));
      elements.push(md(ranked.length ? ranked.map((u, i) => `${i + 1}. ${esc(u.name)}　逾期 ${u.overdue} 项`).join('\n') : '全区目前没有逾期事项。'));
      elements.push(md('发送 `/单位 名称` 查看某单位，`/统计` 查看全区完成率。'));
    }
    await (scope?.kind === 'district' ? ctx.privately : ctx).replyCard(
      card({
        title: `${person.name}的待办`,
        subtitle: `${person.unit.name}　未完成 ${views.length} 项，其中逾期 ${views.filter((v) => v.d.overdue).length} 项`,
        template: listTemplate(views),
        elements,
      }),
    );
  },
};
