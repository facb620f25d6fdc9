// Date expressions in officials' free Chinese text, resolved to Beijing calendar days
// ('YYYY-MM-DD') relative to `now`. Pure.
//
// Understood (first form wins at a position):
//   2026-11-20, 2026/11/20, 2026.11.20, 2026年11月20日   explicit day, taken as written
//   11月20日, 11月20号, 11月20, 十一月二十日           month and day, no year
//   上个月20号, 上月20日; 本月20日, 这个月20号        day of last month / this month
//   20日, 20号                                         day only (Arabic digits)
//   今天, 今日, 昨天, 昨日, 前天, 前日, 大前天
//   上周五, 上星期五, 上个礼拜五 (上上周五: two weeks back)   weekday of last week (weeks start on Monday)
//   本周三, 这周三, 这星期三, 周三, 星期三, 礼拜三        the most recent such weekday not after today
// A report is about the past, so a day written without a year is the most recent one not after
// today: on 2027-01-05, '12月28日' is 2026-12-28. A bare '20号' likewise is this month's 20th,
// or last month's if that is still to come. Explicit years and '本月…' are kept as written, even
// in the future. An impossible day (2月30日, 2026-02-29) is not a date: it is skipped, and no
// shorter form is read inside it. Vague words (月初, 上周, 最近) are not dates.
import { addDays, beijingDay, dayOfWeek } from '../calendar/working-days.js';
import { parseNumeral, toHalfWidth } from './numerals.js';

export interface DateMatch {
  /** Beijing calendar day, 'YYYY-MM-DD' */
  day: string;
  /** The text matched, e.g. '11月20日' */
  match: string;
  /** Index of the match in the text */
  index: number;
}

const CN = '一二三四五六七八九十';
const MONTH = String.raw`\d{1,2}|[${CN}]{1,2}`;
// An Arabic day may omit 日/号 ('11月20') unless a measure word follows ('3月5次'); a Chinese one may not.
const DAY = String.raw`\d{1,2}(?:\s*[日号]|(?![\d人名位个次项条件天年月周]))|[${CN}]{1,3}\s*[日号]`;
const WEEKDAY = '[一二三四五六日天1-7]';

const DATE_RE = new RegExp(
  [
    String.raw`(?<!\d)(?<y1>\d{4})\s*[-/.]\s*(?<m1>\d{1,2})\s*[-/.]\s*(?<d1>\d{1,2})(?!\d)(?:\s*[日号])?`,
    String.raw`(?<!\d)(?<y2>\d{4})\s*年\s*(?<m2>${MONTH})\s*月\s*(?<d2>${DAY})`,
    String.raw`(?<rel3>上个?月|本月|这个?月|当月)\s*(?<d3>${DAY})`,
    String.raw`(?<!\d)(?<m4>${MONTH})\s*月\s*(?<d4>${DAY})`,
    String.raw`(?<rel5>大前天|前天|前日|昨天|昨日|今天|今日)`,
    String.raw`(?<wk6>(?:上)+个?(?:周|星期|礼拜)|本周|这周|(?:这个?|本)(?:星期|礼拜)|(?<![\d${CN}两每])(?:周|星期|礼拜))\s*(?<wd6>${WEEKDAY})`,
    // Not '3号楼', '〔2015〕26号' or '第5号'.
    String.raw`(?<![\d月〕\]第号日])(?<d7>\d{1,2})\s*[日号](?![楼文院线路房室令站])`,
  ].join('|'),
  'g',
);

const RELATIVE_DAYS: Record<string, number> = { 今天: 0, 今日: 0, 昨天: -1, 昨日: -1, 前天: -2, 前日: -2, 大前天: -3 };

/** The first date expression in `text`, or null. */
export function parseChineseDate(text: string, now: Date): DateMatch | null {
  return parseAllDates(text, now)[0] ?? null;
}

/** Every date expression in `text`, in order. */
export function parseAllDates(text: string, now: Date): DateMatch[] {
  const today = beijingDay(now);
  const found: DateMatch[] = [];
  for (const m of toHalfWidth(text).matchAll(DATE_RE)) {
    const day = resolve(m.groups ?? {}, today);
    if (day) found.push({ day, match: text.slice(m.index, m.index + m[0].length), index: m.index });
  }
  return found;
}

/** '2026年11月20日（星期五）' */
export function formatChineseDay(day: string): string {
  const [y, m, d] = day.split('-').map(Number);
  return `${y}年${m}月${d}日（星期${'日一二三四五六'[dayOfWeek(day)]}）`;
}

function resolve(g: Record<string, string | undefined>, today: string): string | null {
  const [ty, tm] = today.split('-').map(Number) as [number, number];
  if (g.y1) return makeDay(Number(g.y1), num(g.m1), num(g.d1));
  if (g.y2) return makeDay(Number(g.y2), num(g.m2), num(g.d2));
  if (g.rel3) {
    if (!g.rel3.startsWith('上')) return makeDay(ty, tm, num(g.d3));
    return tm === 1 ? makeDay(ty - 1, 12, num(g.d3)) : makeDay(ty, tm - 1, num(g.d3));
  }
  if (g.m4) return latestNotAfter(today, [makeDay(ty, num(g.m4), num(g.d4)), makeDay(ty - 1, num(g.m4), num(g.d4))]);
  if (g.rel5) return addDays(today, RELATIVE_DAYS[g.rel5] ?? 0);
  if (g.wk6 && g.wd6) {
    const target = weekdayNumber(g.wd6);
    const isoToday = dayOfWeek(today) || 7;
    const weeksBack = g.wk6.match(/上/g)?.length ?? 0;
    if (weeksBack > 0) return addDays(today, -(isoToday - 1) - 7 * weeksBack + (target - 1));
    return addDays(today, -((isoToday - target + 7) % 7));
  }
  if (g.d7) {
    const d = num(g.d7);
    const months = [0, 1, 2].map((back) => (tm - back >= 1 ? [ty, tm - back] : [ty - 1, tm - back + 12]) as [number, number]);
    return latestNotAfter(today, months.map(([y, m]) => makeDay(y, m, d)));
  }
  return null;
}

/** The first candidate that exists and is not after today. */
function latestNotAfter(today: string, candidates: (string | null)[]): string | null {
  return candidates.find((c): c is string => c !== null && c <= today) ?? null;
}

/** 'YYYY-MM-DD' if the day exists, else null (2月30日, 13月1日). */
function makeDay(year: number, month: number, day: number): string | null {
  if (!Number.isInteger(month) || month < 1 || month > 12) return null;
  if (!Number.isInteger(day) || day < 1 || day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return null;
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

function num(s: string | undefined): number {
  return parseNumeral((s ?? '').replace(/[\s日号]/g, '')) ?? NaN;
}

function weekdayNumber(ch: string): number {
  if (/\d/.test(ch)) return Number(ch);
  return ch === '日' || ch === '天' ? 7 : CN.indexOf(ch) + 1;
}
