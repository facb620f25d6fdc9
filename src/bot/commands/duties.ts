import { card, hr, md, type Element } from '../../cards/card.js';
import { describeAll, listTemplate, obligationItem } from '../../obligations/items.js';
import { doneThisPeriod, outstandingFor, yearOf } from '../../obligations/queries.js';
import { requirePerson } from '../../people/lookup.js';
import type { Command } from './command.js';

const MAX_ITEMS = 15;

export const duties: Command = {
  name: 'duties',
  zh: '责任清单',
  summary: '查看您本期还未完成的党建责任、截止时间和依据（加“全年”看全年）',
  usage: '/责任清单 [全年]',
  async run(ctx, args) {
    const { deps } = ctx;
    const person = await requirePerson(deps, ctx.msg.senderOpenId);
    const now = deps.clock();
    const wholeYear = /^(全年|year)$/i.test(args.trim());
    const obligations = wholeYear ? await yearOf(deps.db, person, now) : await outstandingFor(deps.db, person, now);
    const views = describeAll(obligations, now, deps.catalog.current, deps.calendar);

    const elements: Element[] = [];
    if (views.length === 0) elements.push(md(wholeYear ? '今年没有登记给您的党建责任。' : '本期的党建责任都已完成，谢谢！发送 `/责任清单 全年` 查看全年。'));
    for (const v of views.slice(0, MAX_ITEMS)) elements.push(...obligationItem(v), hr());
    if (views.length > MAX_ITEMS) elements.push(md(`还有 ${views.length - MAX_ITEMS} 项未列出。`));
    if (!wholeYear) {
      const done = await doneThisPeriod(deps.db, person, now);
      if (done) elements.push(md(`本期已完成 ${done} 项。`));
      if (views.length) elements.push(md('直接回复提醒消息，或发送“/汇报 完成情况”即可记录。'));
    }
    const open = views.filter((v) => v.ob.status === 'OPEN').length;
    await ctx.replyCard(
      card({
        title: wholeYear ? `${person.name}的全年党建责任` : `${person.name}的待完成党建责任`,
        subtitle: `${person.unit.name}　未完成 ${open} 项`,
        template: listTemplate(views),
        elements,
      }),
    );
  },
};
