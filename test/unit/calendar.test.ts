import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  addDays,
  addWorkingDays,
  beijingDay,
  beijingEndOfDay,
  beijingStartOfDay,
  hasKnownSchedule,
  isWorkingDay,
  isWorkingHours,
  loadCalendar,
  loadCalendarFromJson,
  nextWorkingDay,
  previousWorkingDay,
  workingDayOnOrBefore,
  workingDaysBetween,
} from '../../src/domain/calendar/working-days.js';
import { isAppError } from '../../src/errors.js';

const cal = loadCalendar({});

function days(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
}

describe('working days, 2025', () => {
  it('Spring Festival 2025-01-28..02-04 is off, with make-up days 01-26 (Sun) and 02-08 (Sat)', () => {
    for (const d of days('2025-01-28', '2025-02-04')) expect(isWorkingDay(d, cal), d).toBe(false);
    expect(isWorkingDay('2025-01-26', cal)).toBe(true);
    expect(isWorkingDay('2025-02-08', cal)).toBe(true);
    expect(isWorkingDay('2025-01-27', cal)).toBe(true);
    expect(isWorkingDay('2025-02-05', cal)).toBe(true);
  });

  it('National Day 2025-10-01..08 is off, with make-up days 09-28 (Sun) and 10-11 (Sat)', () => {
    for (const d of days('2025-10-01', '2025-10-08')) expect(isWorkingDay(d, cal), d).toBe(false);
    expect(isWorkingDay('2025-09-28', cal)).toBe(true);
    expect(isWorkingDay('2025-10-11', cal)).toBe(true);
    expect(isWorkingDay('2025-10-12', cal)).toBe(false); // an ordinary Sunday
    expect(isWorkingDay('2025-10-09', cal)).toBe(true);
  });

  it('ordinary weekends are off, weekdays are on', () => {
    expect(isWorkingDay('2025-03-08', cal)).toBe(false);
    expect(isWorkingDay('2025-03-09', cal)).toBe(false);
    expect(isWorkingDay('2025-03-10', cal)).toBe(true);
  });
});

describe('working days, 2026 (schedule as in chinese-days 1.5.7)', () => {
  it('New Year 01-01..03 off, 01-04 (Sun) working', () => {
    for (const d of days('2026-01-01', '2026-01-03')) expect(isWorkingDay(d, cal), d).toBe(false);
    expect(isWorkingDay('2026-01-04', cal)).toBe(true);
  });

  it('Spring Festival 02-15..23 off, 02-14 and 02-28 (Sat) working', () => {
    for (const d of days('2026-02-15', '2026-02-23')) expect(isWorkingDay(d, cal), d).toBe(false);
    expect(isWorkingDay('2026-02-14', cal)).toBe(true);
    expect(isWorkingDay('2026-02-28', cal)).toBe(true);
  });

  it('Labour Day 05-01..05 off, 05-09 (Sat) working', () => {
    for (const d of days('2026-05-01', '2026-05-05')) expect(isWorkingDay(d, cal), d).toBe(false);
    expect(isWorkingDay('2026-05-09', cal)).toBe(true);
  });

  it('Mid-autumn 09-25..27 and National Day 10-01..07 off, 09-20 (Sun) and 10-10 (Sat) working', () => {
    for (const d of [...days('2026-09-25', '2026-09-27'), ...days('2026-10-01', '2026-10-07')]) {
      expect(isWorkingDay(d, cal), d).toBe(false);
    }
    expect(isWorkingDay('2026-09-20', cal)).toBe(true);
    expect(isWorkingDay('2026-10-10', cal)).toBe(true);
    expect(isWorkingDay('2026-10-08', cal)).toBe(true);
  });

  it('knows the years of the package, not 2027', () => {
    expect(hasKnownSchedule(cal, 2025)).toBe(true);
    expect(hasKnownSchedule(cal, 2026)).toBe(true);
    expect(hasKnownSchedule(cal, 2027)).toBe(false);
  });
});

describe('working-day arithmetic', () => {
  it('addWorkingDays jumps over a long holiday, both ways', () => {
    expect(addWorkingDays('2025-09-30', 1, cal)).toBe('2025-10-09');
    expect(addWorkingDays('2025-10-09', -1, cal)).toBe('2025-09-30');
    expect(addWorkingDays('2025-01-27', 1, cal)).toBe('2025-02-05');
    expect(addWorkingDays('2025-01-24', 1, cal)).toBe('2025-01-26'); // Friday → make-up Sunday
    expect(addWorkingDays('2026-02-13', 2, cal)).toBe('2026-02-24'); // Sat 02-14, then after the holiday
    expect(addWorkingDays('2026-10-09', -5, cal)).toBe('2026-09-24'); // 10-08, 09-30, 29, 28, 24
    expect(addWorkingDays('2026-10-04', 0, cal)).toBe('2026-10-04');
  });

  it('next / previous working day and on-or-before', () => {
    expect(nextWorkingDay('2026-09-30', cal)).toBe('2026-10-08');
    expect(previousWorkingDay('2026-10-08', cal)).toBe('2026-09-30');
    expect(nextWorkingDay('2026-11-27', cal)).toBe('2026-11-30');
    expect(workingDayOnOrBefore('2026-10-05', cal)).toBe('2026-09-30');
    expect(workingDayOnOrBefore('2026-11-30', cal)).toBe('2026-11-30');
  });

  it('workingDaysBetween counts the working days left', () => {
    expect(workingDaysBetween('2026-11-26', '2026-11-30', cal)).toBe(2); // Fri 27, Mon 30
    expect(workingDaysBetween('2026-09-30', '2026-10-08', cal)).toBe(1);
    expect(workingDaysBetween('2026-11-30', '2026-11-30', cal)).toBe(0);
    expect(workingDaysBetween('2026-11-30', '2026-11-26', cal)).toBe(-2); // Thu 26, Fri 27
  });

  it('workingDaysBetween inverts addWorkingDays', () => {
    for (const start of days('2026-09-15', '2026-10-15')) {
      for (const n of [-12, -3, -1, 0, 1, 2, 7, 20]) {
        expect(workingDaysBetween(start, addWorkingDays(start, n, cal), cal), `${start} ${n}`).toBe(n);
      }
    }
  });
});

describe('Beijing time', () => {
  it('beijingDay: 23:30 UTC is already the next day in Beijing', () => {
    expect(beijingDay(new Date('2026-11-30T23:30:00Z'))).toBe('2026-12-01');
    expect(beijingDay(new Date('2026-12-31T16:00:00Z'))).toBe('2027-01-01');
    expect(beijingDay(new Date('2026-12-31T15:59:59.999Z'))).toBe('2026-12-31');
  });

  it('start and end of a Beijing day', () => {
    expect(beijingStartOfDay('2026-12-01').toISOString()).toBe('2026-11-30T16:00:00.000Z');
    expect(beijingEndOfDay('2026-11-30').toISOString()).toBe('2026-11-30T15:59:59.999Z');
  });

  it('isWorkingHours: 09:00 to 17:30 Beijing on working days', () => {
    expect(isWorkingHours(new Date('2026-11-26T01:00:00Z'), cal)).toBe(true); // Thu 09:00
    expect(isWorkingHours(new Date('2026-11-26T00:59:00Z'), cal)).toBe(false); // 08:59
    expect(isWorkingHours(new Date('2026-11-26T09:29:00Z'), cal)).toBe(true); // 17:29
    expect(isWorkingHours(new Date('2026-11-26T09:30:00Z'), cal)).toBe(false); // 17:30
    expect(isWorkingHours(new Date('2026-10-01T02:00:00Z'), cal)).toBe(false); // National Day
    expect(isWorkingHours(new Date('2026-10-10T02:00:00Z'), cal)).toBe(true); // make-up Saturday
    expect(isWorkingHours(new Date('2026-11-26T11:00:00Z'), cal, { start: '08:30', end: '20:00' })).toBe(true);
  });

  it('rejects invalid days', () => {
    expect(() => isWorkingDay('2026-02-30', cal)).toThrow(/无效的日期/);
    expect(() => addDays('2026/01/01', 1)).toThrow(/无效的日期/);
  });
});

describe('override file', () => {
  it('the shipped config/calendar-overrides.json loads', () => {
    const text = readFileSync(new URL('../../config/calendar-overrides.json', import.meta.url), 'utf8');
    expect(() => loadCalendarFromJson(text)).not.toThrow();
  });

  it('adds a year the package does not know', () => {
    const c = loadCalendar({ '2027': { holidays: ['2027-01-01'], workdays: ['2027-02-07'] } });
    expect(hasKnownSchedule(c, 2027)).toBe(true);
    expect(isWorkingDay('2027-01-01', cal)).toBe(true); // a Friday, unknown without the override
    expect(isWorkingDay('2027-01-01', c)).toBe(false);
    expect(isWorkingDay('2027-02-07', c)).toBe(true); // a Sunday made a working day
    expect(addWorkingDays('2026-12-31', 1, c)).toBe('2027-01-04');
  });

  it('wins over the package', () => {
    const c = loadCalendar({ '2026': { holidays: ['2026-12-31'], workdays: ['2026-10-07'] } });
    expect(isWorkingDay('2026-10-07', c)).toBe(true);
    expect(isWorkingDay('2026-12-31', c)).toBe(false);
    expect(isWorkingDay('2026-10-06', c)).toBe(false);
  });

  function errorOf(f: () => unknown): string {
    try {
      f();
    } catch (e) {
      expect(isAppError(e, 'config_invalid')).toBe(true);
      return (e as Error).message;
    }
    throw new Error('expected an error');
  }

  it('a bad date names the line and the field', () => {
    const text = ['{', '  "2027": {', '    "holidays": [', '      "2027-01-01",', '      "2027-02-30"', '    ]', '  }', '}'].join('\n');
    expect(errorOf(() => loadCalendarFromJson(text))).toBe(
      'calendar-overrides.json 第 5 行: 2027.holidays[1] 应为有效日期，格式 YYYY-MM-DD，如 "2027-01-01"',
    );
  });

  it('refuses a misspelt key, a bad year, a day in both lists, a day of another year, bad JSON', () => {
    expect(errorOf(() => loadCalendarFromJson('{\n  "2027": {\n    "holiday": []\n  }\n}'))).toBe(
      'calendar-overrides.json 第 3 行: 2027.holiday 是不认识的字段（请检查拼写）',
    );
    expect(errorOf(() => loadCalendar({ '27': { holidays: [] } }))).toMatch(/27 应为 4 位年份/);
    expect(errorOf(() => loadCalendar({ '2027': { holidays: ['2027-02-07'], workdays: ['2027-02-07'] } }))).toMatch(
      /2027\.workdays\[0\] 2027-02-07 同时列在 holidays 和 workdays 中/,
    );
    expect(errorOf(() => loadCalendar({ '2027': { holidays: ['2026-10-01'] } }))).toMatch(/2027\.holidays\[0\] 2026-10-01 不在 2027 年内/);
    expect(errorOf(() => loadCalendar({ '2027': { holidays: '2027-01-01' } }))).toMatch(/2027\.holidays 应为列表/);
    expect(errorOf(() => loadCalendarFromJson('{\n  "2027": {\n    "holidays": [],\n  }\n}'))).toMatch(
      /^calendar-overrides\.json 第 4 行: 不是有效的 JSON/,
    );
  });
});
