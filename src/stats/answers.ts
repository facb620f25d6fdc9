// Answers to the plain-Chinese questions (src/domain/stats/questions.ts), from the same data as /统计.
import { audit } from '../access/audit.js';
import type { CommandContext } from '../bot/commands/command.js';
import { periodOf } from '../domain/duties/periods.js';
import { groupBy } from '../domain/stats/aggregate.js';
import { matchQuestion } from '../domain/stats/questions.js';
import { isAppError } from '../errors.js';
import { requirePerson } from '../people/lookup.js';
import { notDone } from './queries.js';
import { forbidden, scopeOf } from './view.js';

/**
 * If `text` is one of the recognised questions, answer it and return true; else false (the caller
 * answers as before). Answers and refusals are audited as 'question:<name>'.
 */
export async function answerQuestion(ctx: CommandContext, text: string): Promise<boolean> {
  const q = matchQuestion(text);
  if (!q) return false;
  const { deps, msg } = ctx;
  const record = (result: 'ok' | 'deny', detail: Record<string, unknown> = {}) =>
    audit(deps.db, { actorId: msg.senderOpenId, action: `question:${q}`, result, detail: { messageId: msg.messageId, chatId: msg.chatId, ...detail } });
  try {
    if (q === 'todo') {
      const todo = ctx.commands.find((c) => c.name === 'todo');
      if (!todo) return false;
      await todo.run(ctx, '');
    } else {
      const person = await requirePerson(deps, msg.senderOpenId);
      const scope = scopeOf(person);
      if (!scope) throw forbidden('unit.view');
      const now = deps.clock();
      const unitId = scope.kind === 'unit' ? scope.unitId : undefined;
      const where = scope.kind === 'unit' ? scope.unitName : '全区';
      const reply = scope.kind === 'district' ? ctx.privately : ctx;
      if (q === 'units_without_meeting') {
        const period = periodOf('quarter', now);
        const rows = await notDone(deps.db, { ruleCode: 'QUARTERLY_WORK_MEETING', periodKey: period.key, ...(unitId !== undefined ? { unitId } : {}) });
        const units = [...new Set(rows.map((r) => r.unitName))];
        await reply.replyText(
          units.length
            ? `${period.label}还没有汇报召开基层党建工作会议的单位（${where}，${units.length} 个）：${units.join('、')}。`
            : `${where}${period.label}的基层党建工作会议都已汇报召开。`,
        );
      } else {
        const period = periodOf('month', now);
        const rows = await notDone(deps.db, { ruleCode: 'LIAISON_VISIT_SECRETARY', periodKey: period.key, ...(unitId !== undefined ? { unitId } : {}) });
        const lines = [...groupBy(rows, (r) => r.unitName)].map(([u, list]) => `${u}：${list.map((r) => r.personName ?? '（未指定）').join('、')}`);
        await reply.replyText(
          rows.length
            ? `${period.label}还没有汇报到基层联系点检查指导的书记（${where}，${rows.length} 人）：\n${lines.join('\n')}`
            : `${where}${period.label}的书记都已汇报到基层联系点检查指导。`,
        );
      }
    }
    await record('ok');
    return true;
  } catch (err) {
    if (isAppError(err, 'forbidden') || isAppError(err, 'not_in_roster')) await record('deny', { code: err.code });
    throw err;
  }
}
