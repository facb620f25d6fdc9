import { requireOdStaff } from '../../changes/pending.js';
import { confirmImport } from '../../import/chat-import.js';
import { importDoneText } from '../../import/cards.js';
import type { ImportKind } from '../../import/upload.js';
import { intValue, type CardActionDef } from './action.js';
import { decisionText } from './calendar-actions.js';

/** 确认导入: the previewed file is imported once, however often the button is clicked or delivered. */
export const importConfirm: CardActionDef = {
  name: 'import.confirm',
  async run(ctx) {
    const actor = ctx.action.operatorOpenId;
    await requireOdStaff(ctx.deps, actor, 'import.confirm');
    const kind = String(ctx.action.value.kind ?? '') as ImportKind;
    const out = await confirmImport(ctx.deps, { id: intValue(ctx.action.value, 'changeId'), hash: String(ctx.action.value.hash ?? ''), kind, actor });
    if (out.outcome === 'rejected') {
      await ctx.replyText(out.message);
      return;
    }
    await ctx.replyText(decisionText(out, (r) => importDoneText(r as Parameters<typeof importDoneText>[0])));
  },
};
