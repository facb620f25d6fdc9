import { esc } from '../../cards/card.js';
import { AppError, isAppError } from '../../errors.js';
import { noticeCard, noticePreviewCard } from '../../notices/cards.js';
import { urgencyLine } from '../../notices/urgent.js';
import { acknowledge, auditNotice, chaseNotice, confirmNotice, createDraft, requireNoticeSender } from '../../notices/service.js';
import { requirePerson } from '../../people/lookup.js';
import { intValue, type ActionContext, type CardActionDef } from './action.js';
import { usedCard } from './card-state.js';

/** The OD staff member behind a notice card action (a refusal is audited by the card-action handler). */
async function odSender(ctx: ActionContext) {
  const person = await requirePerson(ctx.deps, ctx.action.operatorOpenId);
  requireNoticeSender(person);
  return person;
}

/** 预览: the submitted form becomes a draft with its recipients fixed, shown with their exact number. */
export const noticeSubmit: CardActionDef = {
  name: 'notice.submit',
  once: true,
  async run(ctx) {
    const person = await odSender(ctx);
    const d = await createDraft(ctx.deps, person, ctx.action.formValue ?? {});
    await auditNotice(ctx.deps, ctx.action.operatorOpenId, 'notice.submit', 'ok', { noticeId: d.notice.id, recipients: d.recipients });
    await ctx.replyCard(
      noticePreviewCard({ id: d.notice.id, title: d.notice.title, body: d.notice.body, audience: d.audience, ackRequired: d.notice.ackRequired, recipients: d.recipients, feedbackDue: d.notice.feedbackDue }),
    );
    await ctx.finishCard(`已生成预览（通知编号 ${d.notice.id}）`, usedCard('通知已填写', `**${esc(d.notice.title)}**\n已生成预览（通知编号 ${d.notice.id}），请在预览卡片上确认发送。`));
  },
};

/** 确认发送: DRAFT → SENT once, one job per recipient. */
export const noticeConfirm: CardActionDef = {
  name: 'notice.confirm',
  once: true,
  async run(ctx) {
    await odSender(ctx);
    const noticeId = intValue(ctx.action.value, 'noticeId');
    const exists = await ctx.deps.db.notice.findUnique({ where: { id: noticeId }, select: { id: true } });
    if (!exists) {
      await ctx.replyText(`找不到编号为 ${noticeId} 的通知。`);
      return;
    }
    const r = await confirmNotice(ctx.deps, noticeId);
    await auditNotice(ctx.deps, ctx.action.operatorOpenId, 'notice.confirm', 'ok', { noticeId, first: r.first });
    await ctx.finishCard(`已确认发送（通知编号 ${noticeId}）`, usedCard('通知已确认发送', `通知编号 ${noticeId} 已确认发送给 ${r.queued} 人。\n发送 /通知 状态 ${noticeId} 查看送达、已读和回执情况。`, undefined, 'green'));
    await ctx.replyText(
      r.first
        ? `通知（编号 ${noticeId}）正在发送给 ${r.queued} 人。发送 /通知 状态 ${noticeId} 查看送达和回执情况。`
        : `通知（编号 ${noticeId}）已经确认发送过，不会重复发送。发送 /通知 状态 ${noticeId} 查看情况。`,
    );
  },
};

/** 已阅/收到 on the notice card. */
export const noticeAck: CardActionDef = {
  name: 'notice.ack',
  once: true,
  async run(ctx) {
    const person = await requirePerson(ctx.deps, ctx.action.operatorOpenId);
    const noticeId = intValue(ctx.action.value, 'noticeId');
    const out = await acknowledge(ctx.deps, noticeId, person.id);
    if (out === 'not-recipient') throw new AppError('forbidden', '这条通知不是发给您的。');
    const n = await ctx.deps.db.notice.findUniqueOrThrow({ where: { id: noticeId }, include: { createdBy: { select: { name: true } } } });
    await ctx.finishCard('已回执', noticeCard({ id: n.id, title: n.title, body: n.body, ackRequired: n.ackRequired, from: n.createdBy.name, feedbackDue: n.feedbackDue, acked: true }));
    await ctx.replyText(out === 'ok' ? '已回执，谢谢。' : '您已回执过这条通知。');
  },
};

/** 催办: one reminder to each delivered recipient who has not acknowledged; after the deadline also a buzz, when on. */
export const noticeChase: CardActionDef = {
  name: 'notice.chase',
  async run(ctx) {
    await odSender(ctx);
    const noticeId = intValue(ctx.action.value, 'noticeId');
    const r = await chaseNotice(ctx.deps, noticeId);
    await auditNotice(ctx.deps, ctx.action.operatorOpenId, 'notice.chase', 'ok', { noticeId, targets: r.targets, urgent: r.urgency.urgent });
    if (!r.targets) {
      await ctx.replyText('没有需要催办的人：已送达的收件人均已回执。');
      return;
    }
    const reminded =
      r.alreadyChased === r.targets
        ? `这 ${r.targets} 人已经催办过，不再重复发送提醒。`
        : `已向 ${r.targets - r.alreadyChased} 位未回执的收件人发送催办提醒${r.alreadyChased ? `（另有 ${r.alreadyChased} 人此前已催办，不再重复）` : ''}。`;
    await ctx.replyText(reminded + urgencyLine(r.urgency, { buzzing: r.buzzing, alreadyBuzzed: r.alreadyBuzzed }));
  },
};
