// Completion, timeliness and overdue counts over obligations. Pure: `now` is a parameter.
import type { ObligationStatus } from '../../generated/prisma/enums.js';

/** The fields of an obligation the statistics need. */
export interface StatRow {
  id: number;
  unitId: number;
  unitName: string;
  personName: string | null;
  /** The person an obligation is on (null for a unit duty); absent where a caller did not select it. */
  personId?: number | null;
  ruleCode: string;
  title: string;
  status: ObligationStatus;
  late: boolean;
  dueAt: Date;
}

export interface Summary {
  /** Obligations counted: due in the period by `now`, or already done (never cancelled). */
  total: number;
  done: number;
  /** Done and not late. */
  onTime: number;
  /** Open and past due. */
  overdue: number;
  /** done / total, 0–1 (null when total is 0). */
  completionRate: number | null;
  /** onTime / done, 0–1 (null when nothing is done). */
  onTimeRate: number | null;
}

export function isOverdue(r: Pick<StatRow, 'status' | 'dueAt'>, now: Date): boolean {
  return r.status === 'OPEN' && r.dueAt < now;
}

/**
 * Whether a row counts towards a period's rates at `now`: not cancelled, and either due by now or
 * already done (an item not yet due and not done is not a failure yet).
 */
export function counts(r: Pick<StatRow, 'status' | 'dueAt'>, now: Date): boolean {
  if (r.status === 'CANCELLED') return false;
  return r.status === 'DONE' || r.dueAt <= now;
}

export function summarise(rows: readonly StatRow[], now: Date): Summary {
  let total = 0;
  let done = 0;
  let onTime = 0;
  let overdue = 0;
  for (const r of rows) {
    if (!counts(r, now)) continue;
    total++;
    if (r.status === 'DONE') {
      done++;
      if (!r.late) onTime++;
    } else if (isOverdue(r, now)) overdue++;
  }
  return { total, done, onTime, overdue, completionRate: total ? done / total : null, onTimeRate: done ? onTime / done : null };
}

/** The four counts of a Summary, as PostgreSQL aggregates them (src/stats/queries.ts countsDueIn). */
export type Counts = Pick<Summary, 'total' | 'done' | 'onTime' | 'overdue'>;

/** A Summary from counts already made (same rates as summarise). */
export function summaryOf(c: Counts): Summary {
  const { total, done, onTime, overdue } = c;
  return { total, done, onTime, overdue, completionRate: total ? done / total : null, onTimeRate: done ? onTime / done : null };
}

/** Groups worst first: most overdue, then lowest completion rate; equals keep their order (stable). */
export function worstFirst<T extends { summary: Summary }>(groups: readonly T[]): T[] {
  return [...groups].sort((a, b) => b.summary.overdue - a.summary.overdue || (a.summary.completionRate ?? 1) - (b.summary.completionRate ?? 1));
}

/**
 * The groups a chart shows: all of them up to `max`, else the `max` worst (worstFirst), kept in their
 * given order. A card carries at most 30 KB, which two bars for each of 1,000 units would not fit.
 */
export function chartSubset<T extends { summary: Summary }>(groups: readonly T[], max: number): T[] {
  if (groups.length <= max) return [...groups];
  const keep = new Set(worstFirst(groups).slice(0, max));
  return groups.filter((g) => keep.has(g));
}

/** Summaries per key, in first-seen order of the key. */
export function summariseBy<K>(rows: readonly StatRow[], key: (r: StatRow) => K, now: Date): Map<K, Summary> {
  const groups = new Map<K, StatRow[]>();
  for (const r of rows) {
    const k = key(r);
    const g = groups.get(k);
    if (g) g.push(r);
    else groups.set(k, [r]);
  }
  return new Map([...groups].map(([k, g]) => [k, summarise(g, now)]));
}

/** A rate as a percentage with one decimal, e.g. 0.8333 → 83.3; null → null. */
export function percent(rate: number | null): number | null {
  return rate === null ? null : Math.round(rate * 1000) / 10;
}

/** '83.3%' or '—'. */
export function percentText(rate: number | null): string {
  const p = percent(rate);
  return p === null ? '—' : `${p}%`;
}

/** Overdue rows, the longest overdue first. */
export function topOverdue(rows: readonly StatRow[], now: Date, limit: number): StatRow[] {
  return rows
    .filter((r) => isOverdue(r, now))
    .sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime() || a.id - b.id)
    .slice(0, limit);
}

/** Units ranked by overdue count (most first, then by name), those with none left out. */
export function rankByOverdue<T extends { name: string; overdue: number }>(units: readonly T[], limit: number): T[] {
  return units
    .filter((u) => u.overdue > 0)
    .sort((a, b) => b.overdue - a.overdue || a.name.localeCompare(b.name, 'zh-CN'))
    .slice(0, limit);
}

/** Group items by a key, in first-seen order. */
export function groupBy<T, K>(items: readonly T[], key: (t: T) => K): Map<K, T[]> {
  const m = new Map<K, T[]>();
  for (const t of items) {
    const k = key(t);
    const g = m.get(k);
    if (g) g.push(t);
    else m.set(k, [t]);
  }
  return m;
}
