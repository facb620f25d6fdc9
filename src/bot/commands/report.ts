import { button, buttons, card, esc, md } from '../../cards/card.js';
import { describeObligation } from '../../obligations/describe.js';
import { outstandingFor } from '../../obligations/queries.js';
import { requirePerson } from '../../people/lookup.js';
import { answerWithReport } from '../../reports/answer.js';
import { pickCard } from '../../reports/cards.js';
import { inferFor } from '../../reports/filing.js';
import { evidenceRefs } from '../../reports/evidence.js';
import { reportText } from '../actions/report-pick.js';
import type { Command } from './command.js';

export const report: Command = {
  name: 'report',
  zh: '汇报',
  aliases: ['报告'],
  summary: '汇报一项党建责任的完成情况（有多项未完成时会请您选择）',
  usage: '/汇报 11月20日到马东村检查指导，发现问题3个，已解决2个',
  async run(ctx, args) {
    const { deps, msg } = ctx;
    const person = await requirePerson(deps, msg.senderOpenId);
    const now = deps.clock();
    const open = await outstandingFor(deps.db, person, now);
    if (!open.length) {
      await ctx.replyText('您目前没有待完成的党建责任，无需汇报。发送 /责任清单 全年 查看全年安排。');
      return;
    }
    const text = reportText(msg.commandText) || args;
    if (!text) {
      // No text: offer the form of each open duty.
      await ctx.replyCard(
        card({
          title: '请选择要汇报的责任',
          template: 'blue',
          elements: open.slice(0, 15).flatMap((ob) => {
            const d = describeObligation(ob, now, deps.catalog.current, deps.calendar);
            return [md(`**${esc(ob.title)}**\n${d.due}　${d.state}`), buttons(button('填写报告', { action: 'report.open', obligationId: ob.id }, 'primary'))];
          }),
        }),
      );
      return;
    }
    let target = open.length === 1 ? open[0]! : undefined;
    let filedBecause: string[] | undefined;
    if (!target) {
      const inferred = await inferFor(deps, person, text, open);
      if (!inferred.chosen) {
        await ctx.replyCard(pickCard(inferred.ranked.slice(0, 15).map((r) => r.candidate), text, (ob) => ({ action: 'report.pick', obligationId: ob.id, source: msg.messageId })));
        return;
      }
      target = inferred.chosen.candidate;
      filedBecause = inferred.chosen.reasons;
    }
    await answerWithReport(deps, person, target, {
      ...(filedBecause ? { filedBecause } : {}),
      sourceKey: `msg:${msg.messageId}`,
      text,
      evidence: evidenceRefs(msg),
      chatId: msg.chatId,
      replyTo: msg.messageId,
    });
  },
};
