import { describe, expect, it } from 'vitest';
import { loadCalendar } from '../../src/domain/calendar/working-days.js';
import { checkInspectionForm, defaultDeadline, planFindingObligation, splitFindings } from '../../src/domain/oversight/inspection.js';

const now = new Date('2026-11-25T10:00:00+08:00');

describe('inspection form', () => {
  it('splits findings one per line, dropping numbering and blank lines', () => {
    expect(splitFindings('1. 记录不全\n2、台账缺失\n\n（3）经费未单列\n- 阵地闲置\n四、制度未上墙\n 12．会议未开 ')).toEqual([
      '记录不全',
      '台账缺失',
      '经费未单列',
      '阵地闲置',
      '制度未上墙',
      '会议未开',
    ]);
    // A number that is part of the finding stays.
    expect(splitFindings('10月记录缺失')).toEqual(['10月记录缺失']);
  });

  it('accepts a complete form, with the method as code or Chinese label', () => {
    const raw = { unit: ' 东岸镇 ', method: '随机调研', inspectedOn: '2026-11-24 +0800', findings: '1. 记录不全\n2. 台账缺失', deadline: '2026-12-18 +0800' };
    expect(checkInspectionForm(raw, now)).toEqual({
      ok: true,
      form: { unit: '东岸镇', method: 'RANDOM_VISIT', inspectedOn: '2026-11-24', deadline: '2026-12-18', findings: ['记录不全', '台账缺失'] },
    });
    expect(checkInspectionForm({ ...raw, method: 'SPECIAL' }, now)).toMatchObject({ ok: true, form: { method: 'SPECIAL' } });
  });

  it('lists every problem at once', () => {
    const r = checkInspectionForm({ method: 'visit', inspectedOn: 'yesterday', findings: '', deadline: '2026-11-25 +0800' }, now);
    expect(r).toEqual({
      ok: false,
      problems: [
        '请填写被检查单位（单位名称或编号）',
        '检查方式应为暗访督查、随机调研、专项检查之一',
        '检查日期应为日期，例如 2026-11-20',
        '整改期限 2026-11-25 应晚于今天（2026-11-25）',
        '请填写发现的问题，每行一条',
      ],
    });
    const many = Array.from({ length: 31 }, (_, i) => `问题${i + 1}`).join('\n');
    expect(checkInspectionForm({ unit: 'x', method: 'SPECIAL', inspectedOn: '2026-11-24', deadline: '2026-12-01', findings: many }, now)).toEqual({
      ok: false,
      problems: ['发现的问题最多 30 条，本次填写了 31 条，请合并或分次记录'],
    });
  });

  it('proposes a deadline 20 working days ahead, skipping weekends and holidays', () => {
    const cal = loadCalendar();
    // From Wed 25 Nov 2026: 20 working days later is Wed 23 Dec (no holidays in between).
    expect(defaultDeadline(now, cal)).toBe('2026-12-23');
    // From Fri 25 Sep 2026, the National Day holiday (1–7 Oct, make-up days around it) is skipped.
    expect(defaultDeadline(new Date('2026-09-25T10:00:00+08:00'), cal) > '2026-10-27').toBe(true);
  });
});

describe('rectification obligation of a finding', () => {
  it('is owed by the unit, answered for by its secretary, due at the end of the deadline day', () => {
    const ob = planFindingObligation({
      findingId: 7,
      seq: 2,
      text: '联系点走访台账缺少10月记录',
      unitId: 3,
      accountablePersonId: 4,
      method: 'UNANNOUNCED',
      inspectedOn: '2026-11-24',
      deadline: '2026-12-18',
    });
    expect(ob).toEqual({
      ruleCode: 'INSPECTION_RECTIFICATION',
      ownerKey: 'u3',
      unitId: 3,
      personId: 4,
      periodKey: '2026',
      subjectKey: 'finding:7',
      title: '11月24日暗访督查问题2整改：联系点走访台账缺少10月记录',
      periodStart: new Date('2026-11-24T00:00:00+08:00'),
      dueAt: new Date('2026-12-18T23:59:59.999+08:00'),
      requiredCount: 1,
    });
  });
});
