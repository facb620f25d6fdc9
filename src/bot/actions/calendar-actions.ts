import { audit } from '../../access/audit.js';
import { schedulePreviewCard, sourceLabel } from '../../calendar/cards.js';
import { confirmSchedule, previewSchedule, type SchedulePreview } from '../../calendar/changes.js';
import { cancelChange, requireOdStaff } from '../../changes/pending.js';
import { parseScheduleForm } from '../../domain/calendar/schedule.js';
import type { YearSchedule } from '../../domain/calendar/working-days.js';
import type { Deps } from '../../deps.js';
import { AppError } from '../../errors.js';
import { intValue, type CardActionDef } from './action.js';

const text = (v: unknown) => (typeof v === 'string' ? v : '');

/** Validates, previews and replies with the preview card (shared by the form and the override file). */
export async function replySchedulePreview(deps: Deps, actor: string, schedule: YearSchedule, via: 'card' | 'file', reply: (card: unknown) => Promise<void>): Promise<SchedulePreview> {
  const preview = await previewSchedule(deps, actor, schedule, via);
  await audit(deps.db, { actorId: actor, action: 'calendar.preview', result: 'ok', detail: { changeId: preview.changeId, year: schedule.year, via, changedDays: preview.days.length, moved: preview.moved } });
  const source = deps.calendar.sources.get(schedule.year);
  await reply(schedulePreviewCard(preview, preview.replaces ? sourceLabel(source) : null));
  return preview;
}

/** 预览 on the entry form. */
export const calendarSubmit: CardActionDef = {
  name: 'calendar.submit',
  async run(ctx) {
    const actor = ctx.action.operatorOpenId;
    await requireOdStaff(ctx.deps, actor, 'calendar.submit');
    const year = intValue(ctx.action.value, 'year');
    const form = ctx.action.formValue ?? {};
    const { schedule, problems } = parseScheduleForm(year, text(form.holidays), text(form.workdays));
    if (problems.length) throw new AppError('bad_input', `${year} 年节假日安排有 ${problems.length} 处无法识别，未保存：\n${problems.map((p, i) => `${i + 1}. ${p}`).join('\n')}`);
    await replySchedulePreview(ctx.deps, actor, schedule, 'card', (c) => ctx.replyCard(c));
  },
};

/** 确认生效: stored, re-dated and audited once, however often it is clicked. */
export const calendarConfirm: CardActionDef = {
  name: 'calendar.confirm',
  async run(ctx) {
    const actor = ctx.action.operatorOpenId;
    await requireOdStaff(ctx.deps, actor, 'calendar.confirm');
    const id = intValue(ctx.action.value, 'changeId');
    const claim = await confirmSchedule(ctx.deps, { id, hash: text(ctx.action.value.hash), actor });
    await ctx.replyText(decisionText(claim, (r) => {
      const a = r as { year: number; version: number; changedDays: number; redated: number };
      return `${a.year} 年节假日安排已生效（第 ${a.version} 版）：工作日变化 ${a.changedDays} 天，已排定的提醒改期 ${a.redated} 条。发送 /日历 ${a.year} 查看。`;
    }));
  },
};

/** 取消 on any preview of a change (calendar, import, catalog). */
export const changeCancel: CardActionDef = {
  name: 'change.cancel',
  async run(ctx) {
    const actor = ctx.action.operatorOpenId;
    await requireOdStaff(ctx.deps, actor, 'change.cancel');
    const id = intValue(ctx.action.value, 'changeId');
    const hash = text(ctx.action.value.hash);
    if (await cancelChange(ctx.deps.db, { id, hash, actor, at: ctx.deps.clock() })) {
      await audit(ctx.deps.db, { actorId: actor, action: 'change.cancel', result: 'ok', detail: { changeId: id } });
      await ctx.replyText('已取消，没有做任何更改。');
      return;
    }
    const row = await ctx.deps.db.pendingChange.findUnique({ where: { id }, select: { status: true, contentHash: true } });
    await ctx.replyText(!row || row.contentHash !== hash ? '这个按钮与预览的内容不符，请重新发送。' : row.status === 'APPLIED' ? '这项变更已经确认生效，无法取消。' : '这项变更已经取消过。');
  },
};

/** The reply to a confirmation, whatever happened to the change before. */
export function decisionText(claim: { outcome: 'applied'; result: unknown } | { outcome: 'already'; status: string; result: unknown } | { outcome: 'mismatch' }, applied: (result: unknown) => string): string {
  if (claim.outcome === 'applied') return applied(claim.result);
  if (claim.outcome === 'mismatch') return '这个按钮与预览的内容不符（可能已有更新的预览），请按最新的预览卡片操作。';
  return claim.status === 'CANCELLED' ? '这项变更已经取消，没有生效。如需生效请重新发送。' : '这项变更已经确认生效过，不会重复执行。';
}
