import type { Normalized } from '../normalize.js';
import { AppError } from '../../errors.js';
import { requirePerson } from '../../people/lookup.js';
import { answerWithReport } from '../../reports/answer.js';
import { evidenceRefs } from '../../reports/evidence.js';
import { esc } from '../../cards/card.js';
import { intValue, type CardActionDef } from './action.js';
import { usedCard } from './card-state.js';

/** The person chose which duty a report is for: record the original message as that duty's report. */
export const reportPick: CardActionDef = {
  name: 'report.pick',
  once: true,
  async run(ctx) {
    const { deps, action } = ctx;
    const person = await requirePerson(deps, action.operatorOpenId);
    const ob = await deps.db.obligation.findUnique({ where: { id: intValue(action.value, 'obligationId') } });
    const source = String(action.value.source ?? '');
    const stored = await deps.db.inboundEvent.findUnique({ where: { dedupeKey: `msg:${source}` } });
    if (!ob || !stored) throw new AppError('not_found', '找不到原来的报告内容，请重新发送。');
    const msg = (stored.payload as unknown as Normalized).event;
    if (msg.kind !== 'message' || msg.senderOpenId !== action.operatorOpenId) throw new AppError('forbidden', '只能为自己发送的内容选择责任。');
    await answerWithReport(deps, person, ob, {
      sourceKey: `msg:${msg.messageId}`,
      text: reportText(msg.commandText),
      evidence: evidenceRefs(msg),
      chatId: msg.chatId,
      replyTo: msg.messageId,
      ...(msg.rootId ? { threadRootId: msg.rootId } : {}),
    });
    await ctx.finishCard(`已记入：${ob.title}`, usedCard('已选择责任', `这份报告已记入：**${esc(ob.title)}**`, reportText(msg.commandText)));
  },
};

/** The report text of a /汇报 message is what follows the command word. */
export function reportText(text: string): string {
  return text.replace(/^\s*[/／]?\s*(汇报|report)(?![a-z])\s*/i, '').trim();
}
