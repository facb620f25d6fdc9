import { getRule } from '../../domain/duties/catalog.js';
import { AppError } from '../../errors.js';
import { requirePerson } from '../../people/lookup.js';
import { orgChoices } from '../../reports/answer.js';
import { reportFormCard } from '../../reports/cards.js';
import { mayReport } from '../../reports/record.js';
import { intValue, type CardActionDef } from './action.js';

/** 填写报告: send the card form for this duty. */
export const reportOpen: CardActionDef = {
  name: 'report.open',
  async run(ctx) {
    const person = await requirePerson(ctx.deps, ctx.action.operatorOpenId);
    const ob = await ctx.deps.db.obligation.findUnique({ where: { id: intValue(ctx.action.value, 'obligationId') } });
    if (!ob || !mayReport(person, ob)) throw new AppError('forbidden', '这项责任不是您的，不能为它填写报告。');
    if (ob.status === 'CANCELLED') throw new AppError('conflict', '这项责任已取消，无需报告。');
    const rule = getRule(ctx.deps.catalog.current, ob.ruleCode);
    await ctx.replyCard(reportFormCard({ rule, obligation: ob, orgOptions: await orgChoices(ctx.deps, person), submit: { action: 'report.submit', obligationId: ob.id } }));
  },
};
