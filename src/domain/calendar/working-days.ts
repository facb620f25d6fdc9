// China's working-day calendar, in Beijing time (Asia/Shanghai, UTC+8, no DST).
//
// A calendar day is a 'YYYY-MM-DD' string in Beijing time; an instant is a JS Date.
// The schedule of statutory holidays and make-up working days (调休) comes from the `chinese-days`
// package (its data file covers 2004–2026 in version 1.5.7), plus config/calendar-overrides.json
// for the years the package does not know yet (the State Council publishes each year's schedule
// in November) or to correct it. An override wins over the package. A year known to neither has
// no holidays: only Saturdays and Sundays are off (see `hasKnownSchedule`).
//
// Everything here is pure except `readCalendarFile`, the explicit loader.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { z } from 'zod';
import packageData from 'chinese-days/dist/chinese-days.json' with { type: 'json' };
import { AppError } from '../../errors.js';
import { parseJsonConfig, validateConfig } from '../json-config.js';

/** Built once by `loadCalendar`; pass it to every function that needs to know about holidays. */
export interface WorkingCalendar {
  /** Days off besides ordinary weekends (statutory holidays, including the weekend days inside them). */
  readonly holidays: ReadonlySet<string>;
  /** Saturdays and Sundays that are working days (调休). */
  readonly workdays: ReadonlySet<string>;
  /** Years whose official schedule is known (from the package, the override file or the OD's entry). */
  readonly knownYears: ReadonlySet<number>;
  /** Where each known year's schedule came from (the last layer that set it). */
  readonly sources: ReadonlyMap<number, CalendarSource>;
  /** The holiday's name of a day off or make-up day, when known ('元旦', '春节'). */
  readonly names: ReadonlyMap<string, string>;
}

/** package: chinese-days; file: config/calendar-overrides.json; od: entered by OD staff in chat (stored in PostgreSQL). */
export type CalendarSource = { kind: 'package' } | { kind: 'file' } | { kind: 'od'; by: string; at: Date; version: number };

/** One year's schedule as the OD enters it: named holiday ranges and the make-up working days. */
export interface YearSchedule {
  year: number;
  holidays: { name: string; from: string; to: string }[];
  workdays: string[];
}

export interface WorkingHours {
  /** 'HH:MM', inclusive */
  start: string;
  /** 'HH:MM', exclusive */
  end: string;
}

export const DEFAULT_WORKING_HOURS: WorkingHours = { start: '09:00', end: '17:30' };

const BEIJING_OFFSET_MS = 8 * 3600_000;
const DAY_MS = 86_400_000;
const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

// ---------------------------------------------------------------- override file

const dayString = z
  .string({ error: '应为日期文字，如 "2027-01-01"' })
  .refine(isValidDay, { error: '应为有效日期，格式 YYYY-MM-DD，如 "2027-01-01"' });

const yearOverride = z.strictObject({
  holidays: z.array(dayString).default([]),
  workdays: z.array(dayString).default([]),
});

const overridesSchema = z
  .object({ _comment: z.string().optional() })
  .catchall(yearOverride)
  .superRefine((file, ctx) => {
    for (const [key, entry] of Object.entries(file)) {
      if (key === '_comment') continue;
      if (!/^\d{4}$/.test(key)) {
        ctx.addIssue({ code: 'custom', path: [key], message: '应为 4 位年份，如 "2027"' });
        continue;
      }
      const year = Number(key);
      const { holidays, workdays } = entry as z.output<typeof yearOverride>;
      // A year's schedule may reach into the last days of the year before or the first of the next.
      const inRange = (d: string): boolean => d >= `${year - 1}-12-01` && d <= `${year + 1}-01-31`;
      holidays.forEach((d, i) => {
        if (!inRange(d)) ctx.addIssue({ code: 'custom', path: [key, 'holidays', i], message: `${d} 不在 ${year} 年内` });
      });
      workdays.forEach((d, i) => {
        if (!inRange(d)) ctx.addIssue({ code: 'custom', path: [key, 'workdays', i], message: `${d} 不在 ${year} 年内` });
        if (holidays.includes(d)) {
          ctx.addIssue({ code: 'custom', path: [key, 'workdays', i], message: `${d} 同时列在 holidays 和 workdays 中` });
        }
      });
    }
  });

/**
 * Builds the calendar from the package data and the overrides, an already parsed object like
 * `{ "2027": { "holidays": ["2027-01-01", ...], "workdays": ["2027-02-07", ...] } }`.
 * Throws AppError('config_invalid') naming the bad field.
 */
export function loadCalendar(overrides: unknown = {}, source = 'calendar-overrides.json'): WorkingCalendar {
  return buildCalendar(validateConfig(overrides, overridesSchema, source));
}

/** As `loadCalendar`, from the JSON text of the override file; errors name the line too. */
export function loadCalendarFromJson(jsonText: string, source = 'calendar-overrides.json'): WorkingCalendar {
  return buildCalendar(parseJsonConfig(jsonText, overridesSchema, source));
}

/** Reads the override file (I/O). A missing file means no overrides. */
export function readCalendarFile(path: string): WorkingCalendar {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return loadCalendar({});
    throw e;
  }
  return loadCalendarFromJson(text, basename(path));
}

/** The override file's years as YearSchedule (consecutive days off make one range, unnamed). */
export function overrideSchedules(overrides: z.output<typeof overridesSchema>): YearSchedule[] {
  const out: YearSchedule[] = [];
  for (const [key, entry] of Object.entries(overrides)) {
    if (key === '_comment' || typeof entry !== 'object') continue;
    out.push({ year: Number(key), holidays: dayRanges(entry.holidays).map(([from, to]) => ({ name: '', from, to })), workdays: [...entry.workdays].sort() });
  }
  return out;
}

/** Sorted days grouped into runs of consecutive days: [[from, to], …]. */
export function dayRanges(days: Iterable<string>): [string, string][] {
  const sorted = [...new Set(days)].sort();
  const out: [string, string][] = [];
  for (const d of sorted) {
    const last = out[out.length - 1];
    if (last && addDays(last[1], 1) === d) last[1] = d;
    else out.push([d, d]);
  }
  return out;
}

/** Every day of each holiday range of a schedule. */
export function scheduleHolidayDays(s: Pick<YearSchedule, 'holidays'>): string[] {
  const days: string[] = [];
  for (const h of s.holidays) for (let d = h.from; d <= h.to; d = addDays(d, 1)) days.push(d);
  return days;
}

function packageCalendar(): WorkingCalendar {
  const holidays = new Set(Object.keys(packageData.holidays));
  const workdays = new Set(Object.keys(packageData.workdays));
  const names = new Map<string, string>();
  for (const [d, v] of [...Object.entries(packageData.holidays), ...Object.entries(packageData.workdays)]) names.set(d, String(v).split(',')[1] ?? '');
  const sources = new Map<number, CalendarSource>();
  for (const d of holidays) sources.set(Number(d.slice(0, 4)), { kind: 'package' });
  return { holidays, workdays, knownYears: new Set(sources.keys()), sources, names };
}

function buildCalendar(overrides: z.output<typeof overridesSchema>): WorkingCalendar {
  const base = packageCalendar();
  // The file adds to (and corrects) the package day by day.
  const holidays = new Set(base.holidays);
  const workdays = new Set(base.workdays);
  const sources = new Map(base.sources);
  for (const s of overrideSchedules(overrides)) {
    sources.set(s.year, { kind: 'file' });
    for (const d of scheduleHolidayDays(s)) {
      holidays.add(d);
      workdays.delete(d);
    }
    for (const d of s.workdays) {
      workdays.add(d);
      holidays.delete(d);
    }
  }
  return { holidays, workdays, knownYears: new Set(sources.keys()), sources, names: base.names };
}

/**
 * `base` with each year of `schedules` replaced by the OD's entry: the days of that calendar year
 * known before are dropped, the entry's days off and make-up days put in. Later entries of a year win.
 */
export function withSchedules(base: WorkingCalendar, schedules: readonly (YearSchedule & { source: CalendarSource })[]): WorkingCalendar {
  if (!schedules.length) return base;
  const holidays = new Set(base.holidays);
  const workdays = new Set(base.workdays);
  const names = new Map(base.names);
  const sources = new Map(base.sources);
  for (const s of schedules) {
    const inYear = (d: string) => d.startsWith(`${s.year}-`);
    for (const set of [holidays, workdays]) for (const d of [...set]) if (inYear(d)) set.delete(d);
    for (const h of s.holidays) {
      for (let d = h.from; d <= h.to; d = addDays(d, 1)) {
        holidays.add(d);
        workdays.delete(d);
        if (h.name) names.set(d, h.name);
      }
    }
    for (const d of s.workdays) {
      workdays.add(d);
      holidays.delete(d);
    }
    sources.set(s.year, s.source);
  }
  return { holidays, workdays, knownYears: new Set(sources.keys()), sources, names };
}

/** Parses and validates the override file's text without building a calendar (errors name the line). */
export function parseOverrideFile(jsonText: string, source = 'calendar-overrides.json'): YearSchedule[] {
  return overrideSchedules(parseJsonConfig(jsonText, overridesSchema, source));
}

/** Whether the official holiday schedule of `year` is known; if not, only weekends count as days off. */
export function hasKnownSchedule(cal: WorkingCalendar, year: number): boolean {
  return cal.knownYears.has(year);
}

// ---------------------------------------------------------------- days

function isValidDay(day: string): boolean {
  const m = DAY_RE.exec(day);
  if (!m) return false;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return new Date(ms).toISOString().slice(0, 10) === day;
}

/** Milliseconds of the day's UTC midnight; the day must be a valid 'YYYY-MM-DD'. */
function utcMs(day: string): number {
  if (!isValidDay(day)) throw new AppError('bad_input', `无效的日期: ${day}`);
  return Date.parse(`${day}T00:00:00Z`);
}

function fromUtcMs(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The calendar day `n` days after `day` (n may be negative). */
export function addDays(day: string, n: number): string {
  return fromUtcMs(utcMs(day) + n * DAY_MS);
}

/** 0 = Sunday … 6 = Saturday */
export function dayOfWeek(day: string): number {
  return new Date(utcMs(day)).getUTCDay();
}

export function isWorkingDay(day: string, cal: WorkingCalendar): boolean {
  const dow = dayOfWeek(day);
  if (cal.workdays.has(day)) return true;
  if (cal.holidays.has(day)) return false;
  return dow !== 0 && dow !== 6;
}

/** The first working day strictly after `day`. */
export function nextWorkingDay(day: string, cal: WorkingCalendar): string {
  return addWorkingDays(day, 1, cal);
}

/** The last working day strictly before `day`. */
export function previousWorkingDay(day: string, cal: WorkingCalendar): string {
  return addWorkingDays(day, -1, cal);
}

/** `day` if it is a working day, else the last working day before it. */
export function workingDayOnOrBefore(day: string, cal: WorkingCalendar): string {
  return isWorkingDay(day, cal) ? day : previousWorkingDay(day, cal);
}

/** `day` if it is a working day, else the first working day after it. */
export function workingDayOnOrAfter(day: string, cal: WorkingCalendar): string {
  return isWorkingDay(day, cal) ? day : nextWorkingDay(day, cal);
}

/**
 * The day `n` working days after `day` (before it if n < 0), counting only working days and not
 * `day` itself: addWorkingDays(Friday, 1) is the next Monday if that is a working day.
 * n = 0 returns `day` unchanged, working day or not.
 */
export function addWorkingDays(day: string, n: number, cal: WorkingCalendar): string {
  if (!Number.isInteger(n)) throw new AppError('bad_input', `工作日数应为整数: ${n}`);
  const step = n < 0 ? -1 : 1;
  let ms = utcMs(day);
  for (let left = Math.abs(n); left > 0; ) {
    ms += step * DAY_MS;
    if (isWorkingDay(fromUtcMs(ms), cal)) left--;
  }
  return fromUtcMs(ms);
}

/**
 * Working days left from `fromDay` until `toDay`: the working days d with fromDay < d <= toDay.
 * Negative when toDay is earlier: minus the working days d with toDay <= d < fromDay.
 * It is the inverse of addWorkingDays: workingDaysBetween(x, addWorkingDays(x, n)) === n.
 */
export function workingDaysBetween(fromDay: string, toDay: string, cal: WorkingCalendar): number {
  const from = utcMs(fromDay);
  const to = utcMs(toDay);
  let count = 0;
  if (to >= from) {
    for (let ms = from + DAY_MS; ms <= to; ms += DAY_MS) if (isWorkingDay(fromUtcMs(ms), cal)) count++;
    return count;
  }
  for (let ms = to; ms < from; ms += DAY_MS) if (isWorkingDay(fromUtcMs(ms), cal)) count++;
  return -count;
}

// ---------------------------------------------------------------- instants

/** The Beijing calendar day of an instant: 2026-11-30T23:30Z is '2026-12-01'. */
export function beijingDay(instant: Date): string {
  const ms = instant.getTime();
  if (Number.isNaN(ms)) throw new AppError('bad_input', '无效的时间');
  return fromUtcMs(ms + BEIJING_OFFSET_MS);
}

/** 00:00 Beijing time of `day`, as an instant. */
export function beijingStartOfDay(day: string): Date {
  return new Date(utcMs(day) - BEIJING_OFFSET_MS);
}

/** The last millisecond of `day` in Beijing time (23:59:59.999), as an instant. */
export function beijingEndOfDay(day: string): Date {
  return new Date(utcMs(day) - BEIJING_OFFSET_MS + DAY_MS - 1);
}

/** 'HH:MM' Beijing wall-clock time of an instant. */
export function beijingTime(instant: Date): string {
  return new Date(instant.getTime() + BEIJING_OFFSET_MS).toISOString().slice(11, 16);
}

/** Whether `instant` falls on a working day within working hours (start inclusive, end exclusive). */
export function isWorkingHours(instant: Date, cal: WorkingCalendar, hours: WorkingHours = DEFAULT_WORKING_HOURS): boolean {
  if (!isWorkingDay(beijingDay(instant), cal)) return false;
  const t = beijingTime(instant);
  return t >= hours.start && t < hours.end;
}
