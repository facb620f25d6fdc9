import { AppError } from '../../errors.js';
import { requirePerson } from '../../people/lookup.js';
import { reportPickCard } from '../commands/report.js';
import type { Normalized } from '../normalize.js';
import { type CardActionDef } from './action.js';
import { reportText } from './report-pick.js';

/** 上一页 / 下一页 on the /汇报 pick list: the same card shows that page. */
export const reportPage: CardActionDef = {
  name: 'report.page',
  async run(ctx) {
    const { deps, action } = ctx;
    const person = await requirePerson(deps, action.operatorOpenId);
    const source = String(action.value.source ?? '');
    const stored = await deps.db.inboundEvent.findUnique({ where: { dedupeKey: `msg:${source}` } });
    const msg = stored ? (stored.payload as unknown as Normalized).event : null;
    if (!msg || msg.kind !== 'message') throw new AppError('not_found', '找不到原来的报告内容，请重新发送。');
    if (msg.senderOpenId !== action.operatorOpenId) throw new AppError('forbidden', '只能为自己发送的内容选择责任。');
    const card = await reportPickCard(deps, person, reportText(msg.commandText), source, Number(action.value.page) || 1);
    if (!card) throw new AppError('conflict', '您目前没有待完成的党建责任，无需汇报。');
    if (action.messageId) await deps.messenger.patchCard(action.messageId, card);
    else await ctx.replyCard(card);
  },
};
