import { card, hr, md, type Element } from '../../cards/card.js';
import { describeAll, listTemplate, obligationItem, overdueGroup, splitOverdue } from '../../obligations/items.js';
import { doneThisPeriod, outstandingFor, yearOf } from '../../obligations/queries.js';
import { requirePerson } from '../../people/lookup.js';
import type { Command } from './command.js';

const MAX_ITEMS = 15;

/**
 * /责任清单: this period's open duties first, the overdue ones grouped below with their count;
 * `逾期 [页]` lists the overdue ones (15 a page), `全年` the whole year.
 */
export const duties: Command = {
  name: 'duties',
  zh: '责任清单',
  summary: '查看您本期还未完成的党建责任、截止时间和依据（加“逾期”看全部逾期事项，加“全年”看全年）',
  usage: '/责任清单 [逾期 [页码] | 全年]',
  async run(ctx, args) {
    const { deps } = ctx;
    const person = await requirePerson(deps, ctx.msg.senderOpenId);
    const now = deps.clock();
    const [word = '', pageWord = ''] = args.trim().split(/\s+/);
    const wholeYear = /^(全年|year)$/i.test(word);
    const overdueOnly = /^(逾期|overdue)$/i.test(word);
    const obligations = wholeYear ? await yearOf(deps.db, person, now) : await outstandingFor(deps.db, person, now);
    const views = describeAll(obligations, now, deps.catalog.current, deps.calendar);
    const { current, overdue } = splitOverdue(views);

    const elements: Element[] = [];
    let title = `${person.name}的待完成党建责任`;
    if (wholeYear) {
      title = `${person.name}的全年党建责任`;
      if (views.length === 0) elements.push(md('今年没有登记给您的党建责任。'));
      for (const v of views.slice(0, MAX_ITEMS)) elements.push(...obligationItem(v), hr());
      if (views.length > MAX_ITEMS) elements.push(md(`还有 ${views.length - MAX_ITEMS} 项未列出。`));
    } else if (overdueOnly) {
      title = `${person.name}的逾期党建责任`;
      const pages = Math.max(1, Math.ceil(overdue.length / MAX_ITEMS));
      const page = Math.min(Math.max(1, Number.parseInt(pageWord, 10) || 1), pages);
      if (!overdue.length) elements.push(md('您没有逾期的党建责任。'));
      for (const v of overdue.slice((page - 1) * MAX_ITEMS, page * MAX_ITEMS)) elements.push(...obligationItem(v), hr());
      if (pages > 1) elements.push(md(`第 ${page}/${pages} 页，共 ${overdue.length} 项。${page < pages ? `发送 \`/责任清单 逾期 ${page + 1}\` 看下一页。` : ''}`));
    } else {
      if (views.length === 0) elements.push(md('本期的党建责任都已完成，谢谢！发送 `/责任清单 全年` 查看全年。'));
      else if (current.length === 0) elements.push(md('本期没有还未到期的党建责任。'));
      for (const v of current.slice(0, MAX_ITEMS)) elements.push(...obligationItem(v), hr());
      if (current.length > MAX_ITEMS) elements.push(md(`本期还有 ${current.length - MAX_ITEMS} 项未列出，发送 \`/责任清单 全年\` 查看。`));
      elements.push(...overdueGroup(overdue));
      const done = await doneThisPeriod(deps.db, person, now);
      if (done) elements.push(md(`本期已完成 ${done} 项。`));
      if (views.length) elements.push(md('直接回复提醒消息，或发送“/汇报 完成情况”即可记录。'));
    }
    const open = views.filter((v) => v.ob.status === 'OPEN');
    await ctx.replyCard(
      card({
        title,
        subtitle: `${person.unit.name}　未完成 ${open.length} 项${overdue.length ? `，其中逾期 ${overdue.length} 项` : ''}`,
        template: listTemplate(overdueOnly ? overdue : views),
        elements,
      }),
    );
  },
};
