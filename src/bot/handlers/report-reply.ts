import { addEvidence, mayReport } from '../../reports/record.js';
import { answerWithReport } from '../../reports/answer.js';
import { pickCard } from '../../reports/cards.js';
import { inferFor } from '../../reports/filing.js';
import { evidenceNotes, evidenceRefs, fetchEvidence, queuePendingEvidence } from '../../reports/evidence.js';
import { obligationsOfReminderMessage } from '../../obligations/queries.js';
import { wasReturned } from '../../oversight/inspections.js';
import { requirePerson } from '../../people/lookup.js';
import type { MessageContext } from '../context.js';

/**
 * A reply to a reminder (quote or thread) is a report of that reminder's duty. Returns false when
 * the message does not answer a reminder. Photos and files are kept as evidence.
 */
export async function replyAsReport(ctx: MessageContext): Promise<boolean> {
  const { msg, deps } = ctx;
  const obligations = await obligationsOfReminderMessage(deps.db, [msg.parentId ?? '', msg.rootId ?? '']);
  if (!obligations) return false;
  const person = await requirePerson(deps, msg.senderOpenId);
  const mine = obligations.filter((o) => mayReport(person, o) && o.status !== 'CANCELLED');
  if (!mine.length) {
    await ctx.replyText('这条提醒中的责任不是您的。如要汇报自己的完成情况，请回复发给您的提醒，或发送 /汇报。');
    return true;
  }
  const refs = evidenceRefs(msg);
  if (!msg.text && refs.length) {
    // A photo on its own: attach it to the report just made in this thread, or wait for the text.
    const recent = await deps.db.report.findFirst({
      where: { personId: person.id, obligationId: { in: mine.map((o) => o.id) }, withdrawnAt: null, createdAt: { gt: new Date(deps.clock().getTime() - 24 * 3600_000) } },
      orderBy: { createdAt: 'desc' },
    });
    // A report the OD has returned is closed: the photo belongs to the next one.
    if (recent && !(await wasReturned(deps, recent))) {
      const held = await deps.db.evidence.findMany({ where: { reportId: recent.id }, select: { data: true } });
      const batch = await fetchEvidence(deps, refs, { count: held.length, bytes: held.reduce((a, e) => a + (e.data?.length ?? 0), 0) });
      const added = await addEvidence(deps.db, recent.id, batch.rows);
      await queuePendingEvidence(deps, recent.id);
      const stored = batch.rows.filter((r) => r.status === 'STORED').length;
      const notes = evidenceNotes(batch);
      await ctx.replyText(
        [added || notes.length ? `已将 ${Math.min(stored, added)} 份佐证材料附在您刚才的报告中。` : '这份材料已经保存过了。', ...notes].join('\n'),
      );
    } else {
      await ctx.replyText('已收到材料。请再回复一段文字说明完成情况（例如：11月20日到马东村检查指导，帮助解决了……），材料会一并附上。');
    }
    return true;
  }
  // The duty: the only one the card carries, or the one the text clearly points at; else ask, most likely first.
  const open = mine.filter((o) => o.status === 'OPEN');
  const pool = open.length ? open : mine;
  let target = pool.length === 1 ? pool[0] : undefined;
  let filedBecause: string[] | undefined;
  if (!target) {
    const inferred = await inferFor(deps, person, msg.text, pool);
    if (!inferred.chosen) {
      await ctx.replyCard(pickCard(inferred.ranked.map((r) => r.candidate), msg.text, (ob) => ({ action: 'report.pick', obligationId: ob.id, source: msg.messageId })));
      return true;
    }
    target = inferred.chosen.candidate;
    filedBecause = inferred.chosen.reasons;
  }
  await answerWithReport(deps, person, target, {
    ...(filedBecause ? { filedBecause } : {}),
    sourceKey: `msg:${msg.messageId}`,
    text: msg.text,
    evidence: refs,
    chatId: msg.chatId,
    replyTo: msg.messageId,
    ...(msg.rootId ? { threadRootId: msg.rootId } : {}),
  });
  return true;
}
