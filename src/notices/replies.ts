// A reply to a notice card. On a notice asking for feedback (载体活动) it is the unit's report of
// that notice's duty; on a plain notice it counts as 已知悉 (acknowledged), and its words are kept
// for the OD (shown on /通知 状态).
import type { MessageContext } from '../bot/context.js';
import { NOTICE_FEEDBACK_RULE, noticeSubjectKey } from '../domain/notices/feedback.js';
import { requirePerson } from '../people/lookup.js';
import { answerWithReport } from '../reports/answer.js';
import { evidenceRefs } from '../reports/evidence.js';
import { mayReport } from '../reports/record.js';
import { acknowledge } from './service.js';

/** Returns false when the message does not answer a notice card. */
export async function replyToNotice(ctx: MessageContext): Promise<boolean> {
  const { msg, deps } = ctx;
  const ids = [msg.parentId ?? '', msg.rootId ?? ''].filter(Boolean);
  if (!ids.length) return false;
  const recipient = await deps.db.noticeRecipient.findFirst({ where: { messageId: { in: ids } }, include: { notice: true } });
  if (!recipient) return false;
  const person = await requirePerson(deps, msg.senderOpenId);
  if (recipient.personId !== person.id) {
    await ctx.replyText('这条通知不是发给您的。');
    return true;
  }
  const { notice } = recipient;
  if (notice.feedbackDue) {
    const duty = await deps.db.obligation.findFirst({
      where: { ruleCode: NOTICE_FEEDBACK_RULE, ownerKey: `u${person.unitId}`, subjectKey: noticeSubjectKey(notice.id), status: { not: 'CANCELLED' } },
    });
    if (duty && mayReport(person, duty)) {
      await acknowledge(deps, notice.id, person.id);
      await answerWithReport(deps, person, duty, {
        sourceKey: `msg:${msg.messageId}`,
        text: msg.text,
        evidence: evidenceRefs(msg),
        chatId: msg.chatId,
        replyTo: msg.messageId,
        ...(msg.rootId ? { threadRootId: msg.rootId } : {}),
      });
      return true;
    }
  }
  await acknowledge(deps, notice.id, person.id);
  const text = msg.text.trim();
  if (text) await deps.db.noticeRecipient.update({ where: { id: recipient.id }, data: { reply: text.slice(0, 2000), repliedAt: deps.clock() } });
  const feedbackNote = notice.feedbackDue ? '\n本通知需要单位反馈开展情况，请由本单位书记或党建工作人员回复本通知汇报。' : '';
  await ctx.replyText(`已收到您对通知“${notice.title}”的回复，记为已知悉${text ? '，区委组织部可以看到您的回复' : ''}。${feedbackNote}`);
  return true;
}
