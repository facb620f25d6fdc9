import { esc } from '../../cards/card.js';
import type { Deps } from '../../deps.js';
import { getRule } from '../../domain/duties/catalog.js';
import { parseReport } from '../../domain/reports/parse-report.js';
import { AppError } from '../../errors.js';
import type { Obligation } from '../../generated/prisma/client.js';
import { obligationsOfReminderMessage, outstandingFor } from '../../obligations/queries.js';
import { requestReview } from '../../oversight/inspections.js';
import { requirePerson } from '../../people/lookup.js';
import { currentConfirmation, orgChoices } from '../../reports/answer.js';
import { pickCard } from '../../reports/cards.js';
import { inferFor } from '../../reports/filing.js';
import { mayReport, moveReport } from '../../reports/record.js';
import type { Normalized } from '../normalize.js';
import { intValue, type CardActionDef } from './action.js';
import { usedCard } from './card-state.js';

const MAX_CHOICES = 10;

/**
 * 改记: move a report to another duty. Without a target, the duties it could go to (those of the
 * reminder it answered, and what the person still owes), most likely first; with one, the move:
 * the clicked card says where it went and a fresh confirmation follows.
 */
export const reportMove: CardActionDef = {
  name: 'report.move',
  once: (value) => value.obligationId !== undefined,
  async run(ctx) {
    const { deps, action } = ctx;
    const person = await requirePerson(deps, action.operatorOpenId);
    const report = await deps.db.report.findUnique({ where: { id: intValue(action.value, 'reportId') }, include: { obligation: true } });
    if (!report || report.personId !== person.id) throw new AppError('forbidden', '只有提交报告的本人可以改记。');
    if (report.withdrawnAt) throw new AppError('conflict', '这份报告已撤回，不能改记。请重新提交。');

    if (action.value.obligationId === undefined) {
      const choices = (await moveChoices(ctx.deps, person, report.sourceKey)).filter((o) => o.id !== report.obligationId && mayReport(person, o));
      if (!choices.length) {
        await ctx.replyText(`没有其他可以改记的责任：这份报告记在“${report.obligation.title}”下。`);
        return;
      }
      const ranked = (await inferFor(deps, person, report.text, choices)).ranked.slice(0, MAX_CHOICES).map((r) => r.candidate);
      await ctx.replyCard(pickCard(ranked, report.text, (ob) => ({ action: 'report.move', reportId: report.id, obligationId: ob.id }), `这份报告现在记在“${report.obligation.title.slice(0, 40)}”下，要改记到哪一项？`));
      return;
    }

    const target = await deps.db.obligation.findUnique({ where: { id: intValue(action.value, 'obligationId') } });
    if (!target || !mayReport(person, target)) throw new AppError('forbidden', '这项责任不是您的，不能把报告改记到它下面。');
    const rule = getRule(deps.catalog.current, target.ruleCode);
    const fields = parseReport(report.text, rule.evidence, { now: deps.clock(), orgNames: await orgChoices(deps, person) }).values;
    const moved = await moveReport(deps.db, { reportId: report.id, personId: person.id, toObligationId: target.id, fields, closedBy: rule.closedBy });
    if (!moved.changed) {
      await ctx.finishCard(`已记在：${target.title}`, usedCard('报告未改动', `这份报告已经记在：**${esc(target.title)}**`));
      return;
    }
    await ctx.finishCard(`已改记到：${target.title}`, usedCard('报告已改记', `这份报告已从“${esc(moved.from.title)}”改记到：**${esc(moved.to.title)}**`, report.text));
    await ctx.replyCard(await currentConfirmation(deps, report.id, { askPeriod: false }));
    if (rule.closedBy === 'od' && moved.to.status === 'SUBMITTED') await requestReview(deps, moved.to.id, report.id);
  },
};

/** 保持不变: the date question is answered; the confirmation stays, without it. */
export const reportKeep: CardActionDef = {
  name: 'report.keep',
  async run(ctx) {
    const { deps, action } = ctx;
    const person = await requirePerson(deps, action.operatorOpenId);
    const report = await deps.db.report.findUnique({ where: { id: intValue(action.value, 'reportId') } });
    if (!report || report.personId !== person.id) throw new AppError('forbidden', '只有提交报告的本人可以确认。');
    const card = await currentConfirmation(deps, report.id, { askPeriod: false });
    if (action.messageId) await deps.messenger.patchCard(action.messageId, card);
    else await ctx.replyCard(card);
  },
};

/** Where a report could go: the duties of the reminder it answered, then what the person still owes. */
async function moveChoices(deps: Deps, person: { id: number }, sourceKey: string): Promise<Obligation[]> {
  const byId = new Map<number, Obligation>();
  const source = sourceKey.startsWith('msg:') ? await deps.db.inboundEvent.findUnique({ where: { dedupeKey: sourceKey } }) : null;
  const msg = source ? (source.payload as unknown as Normalized).event : null;
  if (msg?.kind === 'message') {
    for (const o of (await obligationsOfReminderMessage(deps.db, [msg.parentId ?? '', msg.rootId ?? ''])) ?? []) if (o.status !== 'CANCELLED') byId.set(o.id, o);
  }
  for (const o of await outstandingFor(deps.db, person, deps.clock())) byId.set(o.id, o);
  return [...byId.values()];
}
