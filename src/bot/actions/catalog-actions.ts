import { requireOdStaff } from '../../changes/pending.js';
import { confirmCatalog } from '../../catalog/changes.js';
import { intValue, type CardActionDef } from './action.js';
import { decisionText } from './calendar-actions.js';

/** 确认生效 on a catalog preview: a new version, once; every process loads it within its refresh interval. */
export const catalogConfirm: CardActionDef = {
  name: 'catalog.confirm',
  async run(ctx) {
    const actor = ctx.action.operatorOpenId;
    await requireOdStaff(ctx.deps, actor, 'catalog.confirm');
    const claim = await confirmCatalog(ctx.deps, { id: intValue(ctx.action.value, 'changeId'), hash: String(ctx.action.value.hash ?? ''), actor });
    await ctx.replyText(decisionText(claim, (r) => {
      const a = r as { version: number; added: number; removed: number; changed: number; replanned: number };
      return `责任目录第 ${a.version} 版已生效：新增 ${a.added}，删除 ${a.removed}，修改 ${a.changed}；${a.replanned} 条提醒将按新规定重新排期。发送 /职责 查看。`;
    }));
  },
};
