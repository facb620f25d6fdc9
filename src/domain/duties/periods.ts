// Calendar periods in Beijing time: months, quarters, half-years and years. Pure.
// Keys: '2026-11' (month), '2026-Q4' (quarter), '2026-H2' (half), '2026' (year) — the Obligation.periodKey.
import { AppError } from '../../errors.js';
import { addDays, beijingDay, beijingStartOfDay } from '../calendar/working-days.js';

export type PeriodKind = 'month' | 'quarter' | 'half' | 'year';

export const PERIOD_KINDS: readonly PeriodKind[] = ['month', 'quarter', 'half', 'year'];

export interface Period {
  kind: PeriodKind;
  key: string;
  year: number;
  /** 1-based: month 1–12, quarter 1–4, half 1–2, year 1 */
  index: number;
  /** Chinese label: 2026年11月, 2026年第四季度, 2026年下半年, 2026年 */
  label: string;
  /** First Beijing day, 'YYYY-MM-DD' */
  firstDay: string;
  /** Last Beijing day, 'YYYY-MM-DD' */
  lastDay: string;
  /** 00:00 Beijing time of the first day */
  start: Date;
  /** 00:00 Beijing time of the day after the last: exclusive */
  end: Date;
}

const MONTHS_PER: Record<PeriodKind, number> = { month: 1, quarter: 3, half: 6, year: 12 };
const COUNT_PER_YEAR: Record<PeriodKind, number> = { month: 12, quarter: 4, half: 2, year: 1 };
const QUARTER_NAMES = ['一', '二', '三', '四'];

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

/** The index-th period of its kind in `year` (index is 1-based). */
export function periodAt(kind: PeriodKind, year: number, index: number): Period {
  if (!Number.isInteger(year) || year < 1000 || year > 9999) throw new AppError('bad_input', `无效的年份: ${year}`);
  if (!Number.isInteger(index) || index < 1 || index > COUNT_PER_YEAR[kind]) {
    throw new AppError('bad_input', `无效的周期序号: ${kind} ${index}`);
  }
  const firstMonth = (index - 1) * MONTHS_PER[kind] + 1;
  const firstDay = `${year}-${pad2(firstMonth)}-01`;
  const nextMonth = firstMonth + MONTHS_PER[kind];
  const nextFirstDay = nextMonth > 12 ? `${year + 1}-01-01` : `${year}-${pad2(nextMonth)}-01`;
  const key =
    kind === 'month' ? `${year}-${pad2(index)}` : kind === 'quarter' ? `${year}-Q${index}` : kind === 'half' ? `${year}-H${index}` : `${year}`;
  const label =
    kind === 'month'
      ? `${year}年${index}月`
      : kind === 'quarter'
        ? `${year}年第${QUARTER_NAMES[index - 1]}季度`
        : kind === 'half'
          ? `${year}年${index === 1 ? '上' : '下'}半年`
          : `${year}年`;
  return {
    kind,
    key,
    year,
    index,
    label,
    firstDay,
    lastDay: addDays(nextFirstDay, -1),
    start: beijingStartOfDay(firstDay),
    end: beijingStartOfDay(nextFirstDay),
  };
}

/** The period of the given kind that contains `instant` (in Beijing time). */
export function periodOf(kind: PeriodKind, instant: Date): Period {
  const day = beijingDay(instant);
  const year = Number(day.slice(0, 4));
  const month = Number(day.slice(5, 7));
  return periodAt(kind, year, Math.floor((month - 1) / MONTHS_PER[kind]) + 1);
}

/** All periods of the kind in `year`, in order. */
export function periodsOfYear(kind: PeriodKind, year: number): Period[] {
  return Array.from({ length: COUNT_PER_YEAR[kind] }, (_, i) => periodAt(kind, year, i + 1));
}

/** The period named by a key: '2026', '2026-H2', '2026-Q4' or '2026-11'. Throws AppError('bad_input') otherwise. */
export function periodByKey(key: string): Period {
  const m = /^(\d{4})(?:-(?:(\d{2})|Q(\d)|H(\d)))?$/.exec(key);
  if (m) {
    const year = Number(m[1]);
    const [kind, index]: [PeriodKind, number] =
      m[2] !== undefined ? ['month', Number(m[2])] : m[3] !== undefined ? ['quarter', Number(m[3])] : m[4] !== undefined ? ['half', Number(m[4])] : ['year', 1];
    if (index >= 1 && index <= COUNT_PER_YEAR[kind]) return periodAt(kind, year, index);
  }
  throw new AppError('bad_input', `无效的周期: ${key}（应如 2026、2026-H2、2026-Q4、2026-11）`);
}

/** The period a key names ('2026-11', '2026-Q4', '2026-H2', '2026'), or null for other keys (a set duty's subject year is a year too). */
export function periodOfKey(key: string): Period | null {
  const m = /^(\d{4})(?:-(?:(\d{2})|Q([1-4])|H([12])))?$/.exec(key);
  if (!m) return null;
  const year = Number(m[1]);
  if (m[2]) return Number(m[2]) >= 1 && Number(m[2]) <= 12 ? periodAt('month', year, Number(m[2])) : null;
  if (m[3]) return periodAt('quarter', year, Number(m[3]));
  if (m[4]) return periodAt('half', year, Number(m[4]));
  return periodAt('year', year, 1);
}
