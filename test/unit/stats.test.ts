import { describe, expect, it } from 'vitest';
import { chartSubset, percent, rankByOverdue, summarise, summariseBy, summaryOf, topOverdue, worstFirst, type StatRow } from '../../src/domain/stats/aggregate.js';
import { rateChart, rateValues } from '../../src/domain/stats/chart.js';
import { parseStatsPeriod } from '../../src/domain/stats/period-arg.js';
import { matchQuestion } from '../../src/domain/stats/questions.js';
import { matchUnit } from '../../src/domain/stats/unit-match.js';
import { isAppError } from '../../src/errors.js';

const now = new Date('2026-11-25T10:00:00+08:00');

describe('parseStatsPeriod', () => {
  it('reads the relative words in Beijing time', () => {
    expect(parseStatsPeriod('本月', now).key).toBe('2026-11');
    expect(parseStatsPeriod('本季度', now).key).toBe('2026-Q4');
    expect(parseStatsPeriod('本年', now).key).toBe('2026');
    expect(parseStatsPeriod('', now).key).toBe('2026');
    // 23:30 UTC on Mar 31 is already April 1 in Beijing
    expect(parseStatsPeriod('本季度', new Date('2026-03-31T23:30:00Z')).key).toBe('2026-Q2');
  });
  it('reads keys', () => {
    expect(parseStatsPeriod('2026-Q3', now)).toMatchObject({ key: '2026-Q3', firstDay: '2026-07-01', lastDay: '2026-09-30' });
    expect(parseStatsPeriod('2026-q3', now).key).toBe('2026-Q3');
    expect(parseStatsPeriod('2026-11', now).lastDay).toBe('2026-11-30');
    expect(parseStatsPeriod(' 2025 ', now).key).toBe('2025');
  });
  it('refuses anything else in Chinese', () => {
    for (const bad of ['上个月', '2026-13', '2026-Q5', 'abc']) {
      try {
        parseStatsPeriod(bad, now);
        expect.fail(bad);
      } catch (e) {
        expect(isAppError(e, 'bad_input')).toBe(true);
        expect((e as Error).message).toMatch(/统计周期|无效的周期/);
      }
    }
  });
});

const row = (o: Partial<StatRow> & Pick<StatRow, 'status' | 'dueAt'>): StatRow => ({
  id: 1,
  unitId: 1,
  unitName: '东岸镇',
  personName: '梁振华',
  ruleCode: 'LIAISON_VISIT_SECRETARY',
  title: 't',
  late: false,
  ...o,
});

describe('summarise', () => {
  const rows = [
    row({ id: 1, status: 'DONE', dueAt: new Date('2026-10-31T16:00:00Z') }),
    row({ id: 2, status: 'DONE', late: true, dueAt: new Date('2026-09-30T16:00:00Z') }),
    row({ id: 3, status: 'OPEN', dueAt: new Date('2026-08-31T16:00:00Z') }), // overdue
    row({ id: 4, status: 'OPEN', dueAt: new Date('2026-12-31T16:00:00Z') }), // not due yet: not counted
    row({ id: 5, status: 'DONE', dueAt: new Date('2026-12-31T16:00:00Z') }), // done early: counted
    row({ id: 6, status: 'CANCELLED', dueAt: new Date('2026-08-31T16:00:00Z') }),
  ];
  it('counts completion, timeliness and overdue', () => {
    const s = summarise(rows, now);
    expect(s).toMatchObject({ total: 4, done: 3, onTime: 2, overdue: 1 });
    expect(percent(s.completionRate)).toBe(75);
    expect(percent(s.onTimeRate)).toBe(66.7);
    expect(summarise([], now)).toMatchObject({ total: 0, completionRate: null, onTimeRate: null });
  });
  it('groups and ranks', () => {
    const by = summariseBy([...rows, row({ id: 7, unitId: 2, unitName: '大良街道', status: 'OPEN', dueAt: new Date('2026-07-31T16:00:00Z') })], (r) => r.unitId, now);
    expect(by.get(2)).toMatchObject({ total: 1, overdue: 1 });
    expect(topOverdue(rows, now, 5).map((r) => r.id)).toEqual([3]);
    expect(rankByOverdue([{ name: 'B', overdue: 1 }, { name: 'A', overdue: 3 }, { name: 'C', overdue: 0 }], 20).map((u) => u.name)).toEqual(['A', 'B']);
  });
  it('makes the same summary from counts (as PostgreSQL counts them)', () => {
    const s = summarise(rows, now);
    expect(summaryOf({ total: s.total, done: s.done, onTime: s.onTime, overdue: s.overdue })).toEqual(s);
    expect(summaryOf({ total: 0, done: 0, onTime: 0, overdue: 0 })).toMatchObject({ completionRate: null, onTimeRate: null });
  });
  it('charts all groups up to the limit, else the worst ones in their own order', () => {
    const g = (id: number, overdue: number, done: number) => ({ id, summary: summaryOf({ total: 10, done, onTime: done, overdue }) });
    const groups = [g(1, 0, 10), g(2, 3, 5), g(3, 0, 4), g(4, 5, 5), g(5, 3, 2)];
    expect(worstFirst(groups).map((x) => x.id)).toEqual([4, 5, 2, 3, 1]);
    expect(chartSubset(groups, 5).map((x) => x.id)).toEqual([1, 2, 3, 4, 5]);
    expect(chartSubset(groups, 3).map((x) => x.id)).toEqual([2, 4, 5]);
  });
  it('charts two bars per group as Lark JSON 2.0 chart_spec', () => {
    const values = rateValues([{ name: '东岸镇', summary: summarise(rows, now) }, { name: '空', summary: summarise([], now) }]);
    expect(values).toEqual([
      { name: '东岸镇', type: '完成率', value: 75 },
      { name: '东岸镇', type: '按时率', value: 66.7 },
    ]);
    const el = rateChart('t', values);
    expect(el).toMatchObject({ tag: 'chart', chart_spec: { type: 'bar', data: { values }, yField: 'value', seriesField: 'type' } });
  });
});

describe('matchQuestion', () => {
  it('knows a few phrasings', () => {
    for (const t of ['我还有什么没完成', '我还有什么没完成？', '我的待办', '还有哪些没完成', '我还有哪些没完成呢', '我还有什么工作没做']) expect(matchQuestion(t), t).toBe('todo');
    for (const t of ['哪些单位本季度还没开例会', '哪些单位本季度还没开例会？', '哪些单位这个季度还没召开党建工作会议']) expect(matchQuestion(t), t).toBe('units_without_meeting');
    for (const t of ['这个月谁没去联系点', '本月谁还没到联系点？', '谁这个月没去联系点']) expect(matchQuestion(t), t).toBe('missing_liaison_visit');
  });
  it('leaves anything else alone', () => {
    for (const t of ['你好', '', '11月20日到东风村检查指导', '联系点在哪里', '例会几点开']) expect(matchQuestion(t), t).toBeNull();
  });
});

describe('matchUnit', () => {
  const units = [
    { id: 1, name: '东岸镇党委', code: 'U01' },
    { id: 2, name: '西岸镇党委', code: 'U02' },
    { id: 3, name: '大良街道党工委', code: 'U03' },
  ];
  it('finds exact names, codes and unique substrings', () => {
    expect(matchUnit('东岸镇党委', units)).toMatchObject({ kind: 'found', unit: { id: 1 } });
    expect(matchUnit('u03', units)).toMatchObject({ kind: 'found', unit: { id: 3 } });
    expect(matchUnit('东岸', units)).toMatchObject({ kind: 'found', unit: { id: 1 } });
  });
  it('lists candidates when ambiguous or not found', () => {
    const amb = matchUnit('岸镇', units);
    expect(amb.kind).toBe('ambiguous');
    expect(amb.kind !== 'found' && amb.candidates.map((u) => u.id)).toEqual([1, 2]);
    const none = matchUnit('大良镇', units);
    expect(none.kind).toBe('none');
    expect(none.kind !== 'found' && none.candidates[0]!.id).toBe(3);
  });
});
