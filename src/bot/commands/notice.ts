import { AppError } from '../../errors.js';
import { noticeFormCard, noticeStatusCard } from '../../notices/cards.js';
import { noticeStatus, requireNoticeSender } from '../../notices/service.js';
import { requirePerson } from '../../people/lookup.js';
import type { Command } from './command.js';

/** /通知: the OD's notice form; /通知 状态 <编号>: delivered, read, acknowledged, failed, and a 催办 button. */
export const notice: Command = {
  name: 'notice',
  zh: '通知',
  summary: '区委组织部发布通知并查看回执（仅区委组织部工作人员）',
  usage: '/通知　或　/通知 状态 <通知编号>',
  async run(ctx, args) {
    const person = await requirePerson(ctx.deps, ctx.msg.senderOpenId);
    requireNoticeSender(person);
    const m = /^(?:状态|status)\s*(\S*)$/i.exec(args);
    if (m) {
      const id = Number(m[1]);
      if (!Number.isInteger(id) || id <= 0) throw new AppError('bad_input', '请写明通知编号，例如：/通知 状态 12');
      await ctx.replyCard(noticeStatusCard(await noticeStatus(ctx.deps, id)));
      return;
    }
    if (args) throw new AppError('bad_input', '用法：/通知（发布通知）或 /通知 状态 <通知编号>');
    await ctx.replyCard(noticeFormCard());
  },
};
