// Answers to the plain-Chinese oversight questions (src/domain/stats/questions.ts), from the same data
// as /统计. The bot's question handler (src/bot/handlers/question.ts) asks, audits and replies.
import type { Deps } from '../deps.js';
import { periodOf } from '../domain/duties/periods.js';
import { groupBy } from '../domain/stats/aggregate.js';
import type { Question } from '../domain/stats/questions.js';
import { requirePerson } from '../people/lookup.js';
import { notDone } from './queries.js';
import { forbidden, scopeOf } from './view.js';

/**
 * The reply to an oversight question asked by `openId`, within what that person may see; `district`:
 * it covers the whole district (the caller shows it to the asker only).
 */
export async function answerOversightQuestion(deps: Deps, openId: string, q: Exclude<Question, 'todo'>): Promise<{ text: string; district: boolean }> {
  const { text, scope } = await answer(deps, openId, q);
  return { text, district: scope === 'district' };
}

async function answer(deps: Deps, openId: string, q: Exclude<Question, 'todo'>): Promise<{ text: string; scope: 'district' | 'unit' }> {
  const person = await requirePerson(deps, openId);
  const scope = scopeOf(person);
  if (!scope) throw forbidden('unit.view');
  const now = deps.clock();
  const unitId = scope.kind === 'unit' ? scope.unitId : undefined;
  const where = scope.kind === 'unit' ? scope.unitName : '全区';
  if (q === 'units_without_meeting') {
    const period = periodOf('quarter', now);
    const rows = await notDone(deps.db, { ruleCode: 'QUARTERLY_WORK_MEETING', periodKey: period.key, ...(unitId !== undefined ? { unitId } : {}) });
    const units = [...new Set(rows.map((r) => r.unitName))];
    return {
      scope: scope.kind,
      text: units.length
        ? `${period.label}还没有汇报召开基层党建工作会议的单位（${where}，${units.length} 个）：${units.join('、')}。`
        : `${where}${period.label}的基层党建工作会议都已汇报召开。`,
    };
  }
  const period = periodOf('month', now);
  const rows = await notDone(deps.db, { ruleCode: 'LIAISON_VISIT_SECRETARY', periodKey: period.key, ...(unitId !== undefined ? { unitId } : {}) });
  const lines = [...groupBy(rows, (r) => r.unitName)].map(([u, list]) => `${u}：${list.map((r) => r.personName ?? '（未指定）').join('、')}`);
  return {
    scope: scope.kind,
    text: rows.length
      ? `${period.label}还没有汇报到基层联系点检查指导的书记（${where}，${rows.length} 人）：\n${lines.join('\n')}`
      : `${where}${period.label}的书记都已汇报到基层联系点检查指导。`,
  };
}
