// The OD's entry of a year's holiday schedule: parsing the form, validating, layering, the warning.
// (2027 dates here are test input, not the official schedule.)
import { describe, expect, it } from 'vitest';
import { changedDays, parseScheduleForm, scheduleWarning, validateSchedule, yearView } from '../../src/domain/calendar/schedule.js';
import { isWorkingDay, loadCalendar, withSchedules } from '../../src/domain/calendar/working-days.js';

const cal = loadCalendar({});
const at = (s: string) => new Date(`${s}+08:00`);

describe('parseScheduleForm', () => {
  it('reads named ranges, single days and Chinese dates; names every unreadable line', () => {
    const { schedule, problems } = parseScheduleForm(2027, '元旦 2027-01-01\n测试假期 2027年1月25日 至 2027/1/29\n\n乱写一行', '2027-01-23，2027-1-30 x');
    expect(schedule.holidays).toEqual([
      { name: '元旦', from: '2027-01-01', to: '2027-01-01' },
      { name: '测试假期', from: '2027-01-25', to: '2027-01-29' },
    ]);
    expect(schedule.workdays).toEqual(['2027-01-23', '2027-01-30']);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toContain('假期第 4 行"乱写一行"无法识别');
    expect(problems[1]).toContain('调休上班日"x"不是有效日期');
  });
});

describe('validateSchedule', () => {
  it('accepts a sound schedule', () => {
    expect(validateSchedule({ year: 2027, holidays: [{ name: '元旦', from: '2027-01-01', to: '2027-01-03' }], workdays: ['2027-01-23'] })).toEqual([]);
  });
  it('finds a weekday make-up day, overlapping ranges, a day outside the year, a reversed range and an empty year', () => {
    const p = validateSchedule({
      year: 2027,
      holidays: [
        { name: 'A', from: '2027-01-25', to: '2027-01-29' },
        { name: 'B', from: '2027-01-28', to: '2027-02-02' },
        { name: 'C', from: '2028-05-01', to: '2028-05-01' },
        { name: 'D', from: '2027-10-07', to: '2027-10-01' },
      ],
      workdays: ['2027-01-20', '2027-01-30', '2027-01-30'],
    });
    expect(p.join('\n')).toContain('2027-01-20 是星期三：调休上班日应为周六或周日');
    expect(p.join('\n')).toContain('A 2027-01-25 至 2027-01-29 与 B 2027-01-28 起的假期日期重叠');
    expect(p.join('\n')).toContain('C 2028-05-01：不在 2027 年内');
    expect(p.join('\n')).toContain('结束日期早于开始日期');
    expect(p.join('\n')).toContain('调休上班日 2027-01-30 重复填写');
    expect(p.join('\n')).toContain('2027-01-30 同时是假期和调休上班日');
    expect(validateSchedule({ year: 2027, holidays: [], workdays: [] })[0]).toContain('没有填写任何假期');
  });
});

describe('withSchedules and the warning', () => {
  const entered = withSchedules(cal, [
    { year: 2027, holidays: [{ name: '测试假期', from: '2027-01-25', to: '2027-01-29' }], workdays: ['2027-01-23'], source: { kind: 'od', by: 'ou_x', at: new Date(), version: 1 } },
  ]);

  it('makes the year known and replaces its days', () => {
    expect(entered.knownYears.has(2027)).toBe(true);
    expect(isWorkingDay('2027-01-25', entered)).toBe(false);
    expect(isWorkingDay('2027-01-23', entered)).toBe(true);
    expect(isWorkingDay('2027-01-25', cal)).toBe(true);
    expect(changedDays(cal, entered, [2027]).map((d) => d.day)).toEqual(['2027-01-23', '2027-01-25', '2027-01-26', '2027-01-27', '2027-01-28', '2027-01-29']);
    expect(yearView(entered, 2027).holidays).toEqual([{ name: '测试假期', from: '2027-01-25', to: '2027-01-29', days: 5 }]);
    expect(yearView(cal, 2026).source).toEqual({ kind: 'package' });
  });

  it('warns from 1 November while next year is missing, and all year when this year is', () => {
    expect(scheduleWarning(cal, at('2026-10-31T23:00:00'))).toBeNull();
    expect(scheduleWarning(cal, at('2026-11-01T08:00:00'))).toContain('2027 年法定节假日安排尚未录入：自 2027-01-01 起');
    expect(scheduleWarning(entered, at('2026-11-01T08:00:00'))).toBeNull();
    expect(scheduleWarning(cal, at('2027-03-01T08:00:00'))).toContain('2027 年法定节假日安排尚未录入：目前只按周六、周日休息计算');
  });
});
