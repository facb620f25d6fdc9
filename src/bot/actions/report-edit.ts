import { getRule } from '../../domain/duties/catalog.js';
import { AppError } from '../../errors.js';
import { requirePerson } from '../../people/lookup.js';
import { orgChoices } from '../../reports/answer.js';
import { reportFormCard } from '../../reports/cards.js';
import { intValue, type CardActionDef } from './action.js';

/** 修改: the form again, filled with what was understood. */
export const reportEdit: CardActionDef = {
  name: 'report.edit',
  async run(ctx) {
    const person = await requirePerson(ctx.deps, ctx.action.operatorOpenId);
    const report = await ctx.deps.db.report.findUnique({ where: { id: intValue(ctx.action.value, 'reportId') }, include: { obligation: true } });
    if (!report || report.personId !== person.id) throw new AppError('forbidden', '只有提交报告的本人可以修改。');
    if (report.withdrawnAt) throw new AppError('conflict', '这份报告已撤回，不能修改。请重新提交。');
    const rule = getRule(ctx.deps.catalog.current, report.obligation.ruleCode);
    await ctx.replyCard(
      reportFormCard({
        rule,
        obligation: report.obligation,
        orgOptions: await orgChoices(ctx.deps, person),
        initial: report.fields as Record<string, unknown>,
        submit: { action: 'report.update', reportId: report.id },
        title: '修改完成情况',
      }),
    );
  },
};
