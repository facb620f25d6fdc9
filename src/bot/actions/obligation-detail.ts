import { button, buttons, card, esc, hr, md } from '../../cards/card.js';
import { canViewUnit } from '../../access/policy.js';
import { AppError } from '../../errors.js';
import { describeObligation } from '../../obligations/describe.js';
import { requirePerson } from '../../people/lookup.js';
import { mayReport } from '../../reports/record.js';
import { intValue, type CardActionDef } from './action.js';

/** 查看详情: the duty, its basis, and the reports so far. */
export const obligationDetail: CardActionDef = {
  name: 'obligation.detail',
  async run(ctx) {
    const { deps } = ctx;
    const person = await requirePerson(deps, ctx.action.operatorOpenId);
    const ob = await deps.db.obligation.findUnique({
      where: { id: intValue(ctx.action.value, 'obligationId') },
      include: { reports: { where: { withdrawnAt: null }, orderBy: { createdAt: 'asc' }, include: { person: true } } },
    });
    // The owner, and whoever oversees the unit (its secretary and staff, the OD): escalation cards show this button.
    if (!ob || !(mayReport(person, ob) || canViewUnit(person, ob.unitId))) throw new AppError('forbidden', '您不能查看这项责任：它不属于您，也不属于您负责的单位。');
    const d = describeObligation(ob, deps.clock(), deps.catalog.current, deps.calendar);
    const reports = ob.reports.map((r, i) => `${i + 1}. ${r.person.name}：${esc(r.text.slice(0, 80) || '（无文字）')}${r.late ? '（逾期）' : ''}`);
    await ctx.replyCard(
      card({
        title: '责任详情',
        template: d.overdue ? 'red' : ob.status === 'DONE' ? 'green' : 'blue',
        elements: [
          md(`**${esc(ob.title)}**\n${d.due}　${d.state}${d.progress ? `　${d.progress}` : ''}`),
          md(`<font color='grey'>${esc(d.basis)}</font>`),
          hr(),
          md(reports.length ? `**已提交的报告**\n${reports.join('\n')}` : '还没有提交报告。'),
          ...(ob.status === 'OPEN' ? [buttons(button('填写报告', { action: 'report.open', obligationId: ob.id }, 'primary'))] : []),
        ],
      }),
    );
  },
};
