import { getRule } from '../../domain/duties/catalog.js';
import { AppError } from '../../errors.js';
import { requirePerson } from '../../people/lookup.js';
import { formText, orgChoices } from '../../reports/answer.js';
import { confirmationCard } from '../../reports/cards.js';
import { updateReport } from '../../reports/record.js';
import { esc } from '../../cards/card.js';
import { intValue, type CardActionDef } from './action.js';
import { usedCard } from './card-state.js';
import { formToFields } from './form-values.js';

/** The corrected form: update the report's fields and show the new confirmation. */
export const reportUpdate: CardActionDef = {
  name: 'report.update',
  once: true,
  async run(ctx) {
    const { deps, action } = ctx;
    const person = await requirePerson(deps, action.operatorOpenId);
    const reportId = intValue(action.value, 'reportId');
    const existing = await deps.db.report.findUnique({ where: { id: reportId }, include: { obligation: true } });
    if (!existing) throw new AppError('not_found', '找不到这份报告。');
    const rule = getRule(deps.catalog.current, existing.obligation.ruleCode);
    const { values, problems } = formToFields(rule.evidence, action.formValue ?? {}, await orgChoices(deps, person));
    if (problems.length) throw new AppError('bad_input', `修改没有保存：${problems.join('；')}。`);
    const report = await updateReport(deps.db, reportId, person.id, values, `${existing.text}\n（修改后）${formText(values, rule)}`);
    const evidenceCount = await deps.db.evidence.count({ where: { reportId, status: 'STORED' } });
    await ctx.replyCard(confirmationCard({ obligation: existing.obligation, report, rule, evidenceCount, problems: [], unparsed: '' }));
    await ctx.finishCard(`已保存修改：${existing.obligation.title}`, usedCard('已保存修改', `**${esc(existing.obligation.title)}**\n${esc(formText(values, rule))}`, undefined, 'green'));
  },
};
