import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isWorkingDay, loadCalendar } from '../../src/domain/calendar/working-days.js';
import { getRule, loadCatalog } from '../../src/domain/duties/catalog.js';
import { dueDayOf, reminderStages } from '../../src/domain/duties/reminder-plan.js';

const cal = loadCalendar({});
const catalog = loadCatalog(readFileSync(new URL('../../config/duty-catalog.json', import.meta.url), 'utf8'));
const endOf = (day: string): Date => new Date(`${day}T23:59:59.999+08:00`);
const brief = (stages: { stage: string; sendOn: string }[]): string[] => stages.map((s) => `${s.stage} ${s.sendOn}`);

describe('reminderStages', () => {
  it('monthly visit due Monday 2026-11-30: 5 and 1 working days before, then overdue and escalation', () => {
    expect(brief(reminderStages(getRule(catalog, 'LIAISON_VISIT_SECRETARY'), endOf('2026-11-30'), cal))).toEqual([
      'before-5 2026-11-23',
      'before-1 2026-11-27',
      'overdue 2026-12-01',
      'escalate 2026-12-03',
    ]);
  });

  it('quarterly meeting due 2026-09-30, across Mid-autumn, a make-up Sunday and National Day', () => {
    expect(brief(reminderStages(getRule(catalog, 'QUARTERLY_WORK_MEETING'), endOf('2026-09-30'), cal))).toEqual([
      'before-10 2026-09-16', // 29, 28, 24, 23, 22, 21, 20 (Sun, working), 18, 17, 16
      'before-3 2026-09-24', // 25–27 are Mid-autumn
      'overdue 2026-10-08', // the first working day after National Day
      'escalate 2026-10-10', // 08, 09, 10 (Sat, working)
    ]);
  });

  it('yearly plan due 2026-03-31', () => {
    const stages = reminderStages(getRule(catalog, 'YEARLY_PLAN'), endOf('2026-03-31'), cal);
    // Counting back 30: 21 working days in March, Sat 02-28, 02-27..24, (Spring Festival), Sat 02-14, 02-13, 12, 11.
    expect(brief(stages)).toEqual(['before-30 2026-02-11', 'before-7 2026-03-20', 'before-1 2026-03-30', 'overdue 2026-04-01', 'escalate 2026-04-08']);
  });

  it('a deadline on a holiday: counted back from the holiday, first working day after it for overdue', () => {
    expect(brief(reminderStages(getRule(catalog, 'LIST_ITEM'), endOf('2026-10-03'), cal))).toEqual([
      'before-7 2026-09-21',
      'before-1 2026-09-30',
      'overdue 2026-10-08',
      'escalate 2026-10-10',
    ]);
  });

  it('dedupes stages on the same day, keeping the smaller N', () => {
    const rule = { reminders: { beforeWorkingDays: [1, 0, 3, 3], overdueAfterDays: 1, escalateAfterWorkingDays: 2 } };
    // Due Saturday 2026-10-03: "on the due day" and "1 working day before" are both Wednesday 09-30.
    expect(brief(reminderStages(rule, endOf('2026-10-03'), cal))).toEqual(['before-3 2026-09-28', 'before-0 2026-09-30', 'overdue 2026-10-08', 'escalate 2026-10-09']);
  });

  it('reads the due day from the last instant before dueAt', () => {
    expect(dueDayOf(endOf('2026-11-30'))).toBe('2026-11-30');
    expect(dueDayOf(new Date('2026-12-01T00:00:00+08:00'))).toBe('2026-11-30');
    expect(dueDayOf(new Date('2026-11-30T17:30:00+08:00'))).toBe('2026-11-30');
    const rule = getRule(catalog, 'LIAISON_VISIT_SECRETARY');
    expect(reminderStages(rule, new Date('2026-12-01T00:00:00+08:00'), cal)).toEqual(reminderStages(rule, endOf('2026-11-30'), cal));
  });

  it('leaves out stages before notBefore', () => {
    const stages = reminderStages(getRule(catalog, 'LIAISON_VISIT_SECRETARY'), endOf('2026-11-30'), cal, { notBefore: '2026-11-26' });
    expect(brief(stages)).toEqual(['before-1 2026-11-27', 'overdue 2026-12-01', 'escalate 2026-12-03']);
  });

  it('every stage falls on a working day', () => {
    for (const rule of catalog.rules) {
      for (const due of ['2026-01-31', '2026-02-22', '2026-05-05', '2026-06-30', '2026-10-07', '2026-12-31']) {
        for (const s of reminderStages(rule, endOf(due), cal)) expect(isWorkingDay(s.sendOn, cal), `${rule.code} ${due} ${s.stage}`).toBe(true);
      }
    }
  });
});
