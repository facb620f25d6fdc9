// A year's holiday schedule as the organisation department enters it (card form or override file):
// parsing the form's lines, validating, what it changes, what a year looks like, and the warning
// when next year's schedule is missing. Pure.
import {
  addDays,
  beijingDay,
  dayOfWeek,
  dayRanges,
  hasKnownSchedule,
  isWorkingDay,
  scheduleHolidayDays,
  type CalendarSource,
  type WorkingCalendar,
  type YearSchedule,
} from './working-days.js';

const DATE = String.raw`(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?`;

/** 'YYYY-MM-DD' from '2027-1-1', '2027/01/01', '2027年1月1日'; null if not a valid day. */
export function normaliseDay(text: string): string | null {
  const m = new RegExp(`^${DATE}$`).exec(text.trim());
  if (!m) return null;
  const day = `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}`;
  const ms = Date.parse(`${day}T00:00:00Z`);
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === day ? day : null;
}

/**
 * The card form: one holiday per line, "元旦 2027-01-01 至 2027-01-03" (or "2027-01-01~2027-01-03",
 * or one day "2027-04-05", the name optional), and the make-up working days separated by spaces,
 * commas or lines. Every line that cannot be read is a problem.
 */
export function parseScheduleForm(year: number, holidaysText: string, workdaysText: string): { schedule: YearSchedule; problems: string[] } {
  const problems: string[] = [];
  const holidays: YearSchedule['holidays'] = [];
  const rangeRe = new RegExp(`^(.*?)\\s*(${DATE})\\s*(?:(?:至|到|~|～|—|--|-)\\s*(${DATE}))?$`);
  holidaysText.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line) return;
    const m = rangeRe.exec(line);
    const from = m ? normaliseDay(m[2]!) : null;
    const to = m?.[6] ? normaliseDay(m[6]) : from;
    if (!m || !from || !to) {
      problems.push(`假期第 ${i + 1} 行"${line}"无法识别：应为"名称 开始日期 至 结束日期"，如"春节 ${year}-02-06 至 ${year}-02-13"`);
      return;
    }
    holidays.push({ name: m[1]!.trim(), from, to });
  });
  const workdays: string[] = [];
  for (const tok of workdaysText.split(/[\s,，、;；]+/).filter(Boolean)) {
    const d = normaliseDay(tok);
    if (d) workdays.push(d);
    else problems.push(`调休上班日"${tok}"不是有效日期，应为如 ${year}-02-07 的日期`);
  }
  return { schedule: { year, holidays, workdays }, problems };
}

const WEEKDAY = ['日', '一', '二', '三', '四', '五', '六'];

/** Every problem of a year's schedule, in Chinese; empty when it is sound. */
export function validateSchedule(s: YearSchedule): string[] {
  const problems: string[] = [];
  const { year } = s;
  // A year's schedule may reach into December before or January after (元旦 across the new year).
  const inRange = (d: string) => d >= `${year - 1}-12-01` && d <= `${year + 1}-01-31`;
  if (!Number.isInteger(year) || year < 2000 || year > 2100) problems.push(`年份 ${year} 无效`);
  if (!s.holidays.length) problems.push(`${year} 年没有填写任何假期：至少应有元旦、春节等法定节假日`);
  const ranges = [...s.holidays].sort((a, b) => a.from.localeCompare(b.from));
  ranges.forEach((h, i) => {
    const label = `${h.name || '假期'} ${h.from}${h.to !== h.from ? ` 至 ${h.to}` : ''}`;
    if (h.to < h.from) problems.push(`${label}：结束日期早于开始日期`);
    else if (!inRange(h.from) || !inRange(h.to)) problems.push(`${label}：不在 ${year} 年内`);
    else if (scheduleHolidayDays({ holidays: [h] }).length > 15) problems.push(`${label}：超过 15 天，请检查日期`);
    const next = ranges[i + 1];
    if (next && next.from <= h.to) problems.push(`${label} 与 ${next.name || '假期'} ${next.from} 起的假期日期重叠`);
  });
  const holidayDays = new Set(scheduleHolidayDays(s));
  const seen = new Set<string>();
  for (const d of s.workdays) {
    if (seen.has(d)) problems.push(`调休上班日 ${d} 重复填写`);
    seen.add(d);
    if (!inRange(d)) problems.push(`调休上班日 ${d} 不在 ${year} 年内`);
    const dow = dayOfWeek(d);
    if (dow !== 0 && dow !== 6) problems.push(`调休上班日 ${d} 是星期${WEEKDAY[dow]}：调休上班日应为周六或周日`);
    if (holidayDays.has(d)) problems.push(`${d} 同时是假期和调休上班日`);
  }
  return problems;
}

export interface DayChange {
  day: string;
  /** Whether it was / will be a working day. */
  before: boolean;
  after: boolean;
}

/** The days whose working-day status differs between two calendars, within the years given. */
export function changedDays(before: WorkingCalendar, after: WorkingCalendar, years: readonly number[]): DayChange[] {
  const out: DayChange[] = [];
  for (const y of [...new Set(years)].sort()) {
    for (let d = `${y - 1}-12-01`; d <= `${y + 1}-01-31`; d = addDays(d, 1)) {
      const b = isWorkingDay(d, before);
      const a = isWorkingDay(d, after);
      if (a !== b && !out.some((c) => c.day === d)) out.push({ day: d, before: b, after: a });
    }
  }
  return out.sort((a, b) => a.day.localeCompare(b.day));
}

export interface YearView {
  year: number;
  known: boolean;
  source: CalendarSource | undefined;
  holidays: { name: string; from: string; to: string; days: number }[];
  workdays: { day: string; name: string }[];
}

/** A year's days off (as named ranges) and make-up working days, and where they came from. */
export function yearView(cal: WorkingCalendar, year: number): YearView {
  const prefix = `${year}-`;
  const holidayDays = [...cal.holidays].filter((d) => d.startsWith(prefix));
  const holidays = dayRanges(holidayDays).map(([from, to]) => ({
    name: cal.names.get(from) ?? '',
    from,
    to,
    days: scheduleHolidayDays({ holidays: [{ name: '', from, to }] }).length,
  }));
  const workdays = [...cal.workdays]
    .filter((d) => d.startsWith(prefix))
    .sort()
    .map((day) => ({ day, name: cal.names.get(day) ?? '' }));
  return { year, known: hasKnownSchedule(cal, year), source: cal.sources.get(year), holidays, workdays };
}

/**
 * The one line the OD's daily digest and /日历 carry while a schedule is missing: the current year
 * not loaded at all, or — from 1 November — next year not loaded yet. null when all is well.
 */
export function scheduleWarning(cal: WorkingCalendar, now: Date): string | null {
  const today = beijingDay(now);
  const year = Number(today.slice(0, 4));
  if (!hasKnownSchedule(cal, year)) {
    return `⚠️ ${year} 年法定节假日安排尚未录入：目前只按周六、周日休息计算，节假日当天也会发出提醒。请发送"/日历 录入 ${year}"录入。`;
  }
  if (today >= `${year}-11-01` && !hasKnownSchedule(cal, year + 1)) {
    return `⚠️ ${year + 1} 年法定节假日安排尚未录入：自 ${year + 1}-01-01 起，元旦、春节等假日会被当作工作日发送提醒。请发送"/日历 录入 ${year + 1}"录入。`;
  }
  return null;
}

/** A schedule as form text (to prefill the form when correcting an entered year). */
export function scheduleToForm(s: YearSchedule): { holidays: string; workdays: string } {
  return {
    holidays: s.holidays.map((h) => `${h.name ? `${h.name} ` : ''}${h.from}${h.to !== h.from ? ` 至 ${h.to}` : ''}`).join('\n'),
    workdays: s.workdays.join(' '),
  };
}
