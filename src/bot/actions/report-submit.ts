import { getRule } from '../../domain/duties/catalog.js';
import { AppError } from '../../errors.js';
import { requirePerson } from '../../people/lookup.js';
import { answerWithReport, formText, orgChoices } from '../../reports/answer.js';
import { esc } from '../../cards/card.js';
import { intValue, type CardActionDef } from './action.js';
import { usedCard } from './card-state.js';
import { formToFields } from './form-values.js';

/** A submitted report form: store it (once per form card and person) and confirm. */
export const reportSubmit: CardActionDef = {
  name: 'report.submit',
  once: true,
  async run(ctx) {
    const { deps, action } = ctx;
    const person = await requirePerson(deps, action.operatorOpenId);
    const ob = await deps.db.obligation.findUnique({ where: { id: intValue(action.value, 'obligationId') } });
    if (!ob) throw new AppError('not_found', '找不到这项责任，可能已被取消。');
    const rule = getRule(deps.catalog.current, ob.ruleCode);
    const { values, problems } = formToFields(rule.evidence, action.formValue ?? {}, await orgChoices(deps, person));
    if (problems.length) throw new AppError('bad_input', `报告没有保存：${problems.join('；')}。请在表单中补全后再提交。`);
    await answerWithReport(deps, person, ob, {
      sourceKey: `form:${action.messageId}:${action.operatorOpenId}`,
      text: formText(values, rule),
      fields: values,
      evidence: [],
      chatId: action.chatId,
      ...(action.messageId ? { replyTo: action.messageId } : {}),
    });
    await ctx.finishCard(`已提交：${ob.title}`, usedCard('已提交完成情况', `**${esc(ob.title)}**\n${esc(formText(values, rule))}`, undefined, 'green'));
  },
};
