import { audit } from '../../access/audit.js';
import { can, refusal, type Action } from '../../access/policy.js';
import { AppError, isAppError } from '../../errors.js';
import type { ReviewDecision } from '../../generated/prisma/enums.js';
import { inspectionListCard, reviewOutcomeCard } from '../../oversight/inspection-cards.js';
import { decide, notifyUnit, recordInspection } from '../../oversight/inspections.js';
import { requirePerson } from '../../people/lookup.js';
import { intValue, type ActionContext, type CardActionDef } from './action.js';

/** The OD staff member behind a card action (a refusal is audited by the card-action handler). */
async function odStaff(ctx: ActionContext, action: Action) {
  const person = await requirePerson(ctx.deps, ctx.action.operatorOpenId);
  if (!can(person.role, action)) throw new AppError('forbidden', refusal(action));
  return person;
}

/** 保存并通知单位: the inspection form becomes an inspection, its findings rectification duties; the unit is told. */
export const inspectionSubmit: CardActionDef = {
  name: 'inspection.submit',
  once: true,
  async run(ctx) {
    const person = await odStaff(ctx, 'inspection.record');
    const sourceKey = `inspection:${ctx.action.messageId || ctx.eventId}:${ctx.action.operatorOpenId}`;
    const { inspection, created } = await recordInspection(ctx.deps, person, ctx.action.formValue ?? {}, sourceKey);
    await audit(ctx.deps.db, { actorId: ctx.action.operatorOpenId, action: 'inspection.submit', result: 'ok', detail: { inspectionId: inspection.id, findings: inspection.findings.length, created } });
    const told = await notifyUnit(ctx.deps, inspection);
    const summary = inspectionListCard([inspection], ctx.deps.clock(), `督查编号 ${inspection.id}`);
    await ctx.finishCard(`已保存督查记录（编号 ${inspection.id}）`, summary);
    await ctx.replyText(
      created
        ? `督查记录已保存（编号 ${inspection.id}）：${inspection.findings.length} 条问题已列为${inspection.unit.name}的整改任务，已通知该单位 ${told} 人。发送 /督查 ${inspection.id} 查看整改进展。`
        : `这份督查记录已经保存过（编号 ${inspection.id}），没有重复记录。`,
    );
  },
};

/**
 * What a review card acts on, from the database: the report named by the card, its own obligation (not
 * the card's), which must be an inspection finding whose latest standing report this is. A card whose
 * values say otherwise (forged, or outdated by a newer report or a withdrawal) is refused (and audited).
 */
async function reportUnderReview(ctx: ActionContext): Promise<{ obligationId: number; reportId: number }> {
  const { value } = ctx.action;
  const reportId = intValue(value, 'reportId');
  const report = await ctx.deps.db.report.findUnique({ where: { id: reportId }, select: { id: true, obligationId: true, withdrawnAt: true } });
  const finding = report && (await ctx.deps.db.inspectionFinding.findUnique({ where: { obligationId: report.obligationId }, select: { id: true } }));
  const latest =
    report &&
    (await ctx.deps.db.report.findFirst({ where: { obligationId: report.obligationId, withdrawnAt: null }, orderBy: { id: 'desc' }, select: { id: true } }));
  const problem = !report || !finding || Number(value.obligationId) !== report.obligationId
    ? '这张验收卡片与记录不符'
    : report.withdrawnAt
      ? '这份整改报告已被单位撤回'
      : latest?.id !== report.id
        ? '单位已提交了更新的整改报告，这张验收卡片已过时'
        : undefined;
  if (problem) throw new AppError('conflict', `${problem}，没有处理。请发送 /督查 查看各项整改的最新状态。`);
  return { obligationId: report!.obligationId, reportId };
}

/** 通过验收 / 退回重改 on a review card. */
export const reviewDecide: CardActionDef = {
  name: 'review.decide',
  once: true,
  async run(ctx) {
    const person = await odStaff(ctx, 'inspection.review');
    const { value } = ctx.action;
    const decision: ReviewDecision = value.decision === 'ACCEPT' ? 'ACCEPT' : 'RETURN';
    const { obligationId, reportId } = await reportUnderReview(ctx);
    const note = typeof ctx.action.formValue?.note === 'string' ? ctx.action.formValue.note : '';
    const r = await decide(ctx.deps, person, { obligationId, reportId, decision, note });
    await audit(ctx.deps.db, { actorId: ctx.action.operatorOpenId, action: 'review.decide', result: 'ok', detail: { obligationId, reportId, decision, changed: r.changed } });
    if (!r.changed) {
      await ctx.replyText('这份整改报告已经验收过，没有重复处理。');
      return;
    }
    await ctx.finishCard(decision === 'ACCEPT' ? '已验收通过' : '已退回重改', reviewOutcomeCard({ obligation: r.obligation, decision, note: note.trim() }));
    await ctx.replyText(decision === 'ACCEPT' ? `已验收通过并销号：${r.obligation.title}` : `已退回，单位会收到退回原因：${r.obligation.title}`);
  },
};
