import { noticePreviewCard } from '../../notices/cards.js';
import { urgencyLine } from '../../notices/urgent.js';
import { acknowledge, auditNotice, chaseNotice, confirmNotice, createDraft, requireNoticeSender } from '../../notices/service.js';
import { requirePerson } from '../../people/lookup.js';
import { intValue, type ActionContext, type CardActionDef } from './action.js';

/** The OD staff member behind a notice card action (a refusal is audited by the card-action handler). */
async function odSender(ctx: ActionContext) {
  const person = await requirePerson(ctx.deps, ctx.action.operatorOpenId);
  requireNoticeSender(person);
  return person;
}

/** 预览: the submitted form becomes a draft with its recipients fixed, shown with their exact number. */
export const noticeSubmit: CardActionDef = {
  name: 'notice.submit',
  async run(ctx) {
    const person = await odSender(ctx);
    const d = await createDraft(ctx.deps, person, ctx.action.formValue ?? {});
    await auditNotice(ctx.deps, ctx.action.operatorOpenId, 'notice.submit', 'ok', { noticeId: d.notice.id, recipients: d.recipients });
    await ctx.replyCard(
      noticePreviewCard({ id: d.notice.id, title: d.notice.title, body: d.notice.body, audience: d.audience, ackRequired: d.notice.ackRequired, recipients: d.recipients, feedbackDue: d.notice.feedbackDue }),
    );
  },
};

/** 确认发送: DRAFT → SENT once, one job per recipient. */
export const noticeConfirm: CardActionDef = {
  name: 'notice.confirm',
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
  async run(ctx) {
    const person = await requirePerson(ctx.deps, ctx.action.operatorOpenId);
    const out = await acknowledge(ctx.deps, intValue(ctx.action.value, 'noticeId'), person.id);
    if (out === 'ok') await ctx.replyText('已回执，谢谢。');
    else if (out === 'again') await ctx.replyText('您已回执过这条通知。');
    else await ctx.replyText('这条通知不是发给您的。');
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
