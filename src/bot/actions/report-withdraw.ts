import { requirePerson } from '../../people/lookup.js';
import { withdrawnCard } from '../../reports/cards.js';
import { withdrawReport } from '../../reports/record.js';
import { intValue, type CardActionDef } from './action.js';

/** 撤回: the report stops counting; the confirmation card turns into a "withdrawn" card. */
export const reportWithdraw: CardActionDef = {
  name: 'report.withdraw',
  once: true,
  async run(ctx) {
    const { deps, action } = ctx;
    const person = await requirePerson(deps, action.operatorOpenId);
    const { report, obligation } = await withdrawReport(deps.db, intValue(action.value, 'reportId'), person.id, deps.clock());
    if (action.messageId) await ctx.finishCard('报告已撤回', withdrawnCard(obligation, report));
    else await ctx.replyCard(withdrawnCard(obligation, report));
  },
};
