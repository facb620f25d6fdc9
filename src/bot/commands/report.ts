import { button, buttons, card, esc, md } from '../../cards/card.js';
import { describeObligation } from '../../obligations/describe.js';
import { outstandingFor } from '../../obligations/queries.js';
import { requirePerson } from '../../people/lookup.js';
import { answerWithReport } from '../../reports/answer.js';
import { pickCard } from '../../reports/cards.js';
import { inferFor } from '../../reports/filing.js';
import { evidenceRefs } from '../../reports/evidence.js';
import { reportText } from '../actions/report-pick.js';
import type { Deps } from '../../deps.js';
import type { Obligation, Person } from '../../generated/prisma/client.js';
import type { Command } from './command.js';

const PAGE = 10;

/** The pick list of a /汇报, most likely first, PAGE a page with 上一页/下一页. */
function pagedPick(ranked: Obligation[], text: string, source: string, page: number): Record<string, unknown> {
  const pages = Math.max(1, Math.ceil(ranked.length / PAGE));
  const p = Math.min(Math.max(1, page), pages);
  return pickCard(ranked.slice((p - 1) * PAGE, p * PAGE), text, (ob) => ({ action: 'report.pick', obligationId: ob.id, source }), undefined, {
    page: p,
    pages,
    total: ranked.length,
    value: (n) => ({ action: 'report.page', source, page: n }),
  });
}

/** The pick list again (a page turned): null when nothing is open any more. */
export async function reportPickCard(deps: Deps, person: Person, text: string, source: string, page: number): Promise<Record<string, unknown> | null> {
  const open = await outstandingFor(deps.db, person, deps.clock());
  if (!open.length) return null;
  return pagedPick((await inferFor(deps, person, text, open)).ranked.map((r) => r.candidate), text, source, page);
}

export const report: Command = {
  name: 'report',
  zh: '汇报',
  aliases: ['报告'],
  summary: '汇报一项党建责任的完成情况（有多项未完成时会请您选择）',
  usage: '/汇报 11月20日到马东村检查指导，发现问题3个，已解决2个',
  async run(ctx, args) {
    const { deps, msg } = ctx;
    const person = await requirePerson(deps, msg.senderOpenId);
    const now = deps.clock();
    const open = await outstandingFor(deps.db, person, now);
    if (!open.length) {
      await ctx.replyText('您目前没有待完成的党建责任，无需汇报。发送 /责任清单 全年 查看全年安排。');
      return;
    }
    const text = reportText(msg.commandText) || args;
    if (!text) {
      // No text: offer the form of each open duty.
      await ctx.replyCard(
        card({
          title: '请选择要汇报的责任',
          template: 'blue',
          elements: [
            // This period's first: a backlog of overdue duties must not hide this month.
            ...[...open.filter((o) => o.dueAt >= now), ...open.filter((o) => o.dueAt < now)].slice(0, 15).flatMap((ob) => {
              const d = describeObligation(ob, now, deps.catalog.current, deps.calendar);
              return [md(`**${esc(ob.title)}**\n${d.due}　${d.state}`), buttons(button('填写报告', { action: 'report.open', obligationId: ob.id }, 'primary'))];
            }),
            ...(open.length > 15 ? [md(`还有 ${open.length - 15} 项未列出，发送 \`/责任清单 逾期\` 查看逾期事项。`)] : []),
          ],
        }),
      );
      return;
    }
    let target = open.length === 1 ? open[0]! : undefined;
    let filedBecause: string[] | undefined;
    if (!target) {
      const inferred = await inferFor(deps, person, text, open);
      if (!inferred.chosen) {
        await ctx.replyCard(pagedPick(inferred.ranked.map((r) => r.candidate), text, msg.messageId, 1));
        return;
      }
      target = inferred.chosen.candidate;
      filedBecause = inferred.chosen.reasons;
    }
    await answerWithReport(deps, person, target, {
      ...(filedBecause ? { filedBecause } : {}),
      sourceKey: `msg:${msg.messageId}`,
      text,
      evidence: evidenceRefs(msg),
      chatId: msg.chatId,
      replyTo: msg.messageId,
    });
  },
};
