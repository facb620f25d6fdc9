// Reads for the oversight commands (/待办, /单位, /统计 and the plain questions).
import type { Db } from '../db/client.js';
import type { Counts, StatRow } from '../domain/stats/aggregate.js';
import { Prisma } from '../generated/prisma/client.js';

const ROW_SELECT = {
  id: true,
  unitId: true,
  personId: true,
  ruleCode: true,
  title: true,
  status: true,
  late: true,
  dueAt: true,
  periodKey: true,
  unit: { select: { name: true } },
  person: { select: { name: true } },
} as const;

type Selected = { id: number; unitId: number; personId: number | null; ruleCode: string; title: string; status: StatRow['status']; late: boolean; dueAt: Date; unit: { name: string }; person: { name: string } | null };

function toRow(r: Selected): StatRow {
  return { id: r.id, unitId: r.unitId, unitName: r.unit.name, personId: r.personId, personName: r.person?.name ?? null, ruleCode: r.ruleCode, title: r.title, status: r.status, late: r.late, dueAt: r.dueAt };
}

/** Obligations due in [from, to), not cancelled, of one unit or (unitId undefined) all units. */
export async function rowsDueIn(db: Db, opts: { from: Date; to: Date; unitId?: number }): Promise<StatRow[]> {
  const rows = await db.obligation.findMany({
    where: { dueAt: { gte: opts.from, lt: opts.to }, status: { not: 'CANCELLED' }, ...(opts.unitId !== undefined ? { unitId: opts.unitId } : {}) },
    select: ROW_SELECT,
    orderBy: [{ dueAt: 'asc' }, { id: 'asc' }],
  });
  return rows.map(toRow);
}

export interface PeriodCounts {
  total: Counts;
  /** Per unit, units with obligations in the period (for one unit: that unit). */
  byUnit: Map<number, Counts>;
  /** Per duty (rule code). */
  byDuty: Map<string, Counts>;
}

/**
 * The four counts of summarise (src/domain/stats/aggregate.ts) as SQL over "Obligation" o: counted =
 * DONE or due by `now`; done = DONE; on time = DONE and not late; overdue = OPEN and due before `now`.
 */
export function countColumns(now: Date): Prisma.Sql {
  return Prisma.sql`count(*) FILTER (WHERE o."status" = 'DONE' OR o."dueAt" <= ${now})::int AS total,
           count(*) FILTER (WHERE o."status" = 'DONE')::int AS done,
           count(*) FILTER (WHERE o."status" = 'DONE' AND NOT o."late")::int AS "onTime",
           count(*) FILTER (WHERE o."status" = 'OPEN' AND o."dueAt" < ${now})::int AS overdue`;
}

/**
 * The /统计 figures of obligations due in [from, to) (not cancelled), of one unit or all, counted in
 * PostgreSQL with the rules of summarise (src/domain/stats/aggregate.ts): counted = DONE or due by
 * `now`; done = DONE; on time = DONE and not late; overdue = OPEN and due before `now` (SUBMITTED is
 * counted, not done, not overdue). One scan, overall, by unit and by duty (GROUPING SETS).
 */
export async function countsDueIn(db: Db, opts: { from: Date; to: Date; now: Date; unitId?: number }): Promise<PeriodCounts> {
  const { from, to, now, unitId } = opts;
  const rows = await db.$queryRaw<Array<Counts & { g: number; unitId: number | null; ruleCode: string | null }>>`
    SELECT GROUPING(o."unitId", o."ruleCode")::int AS g, o."unitId", o."ruleCode",
           ${countColumns(now)}
    FROM "Obligation" o
    WHERE o."dueAt" >= ${from} AND o."dueAt" < ${to} AND o."status" <> 'CANCELLED'
      ${unitId !== undefined ? Prisma.sql`AND o."unitId" = ${unitId}` : Prisma.empty}
    GROUP BY GROUPING SETS ((o."unitId"), (o."ruleCode"), ())`;
  const out: PeriodCounts = { total: { total: 0, done: 0, onTime: 0, overdue: 0 }, byUnit: new Map(), byDuty: new Map() };
  for (const { g, unitId: u, ruleCode, total, done, onTime, overdue } of rows) {
    const c = { total, done, onTime, overdue };
    if (g === 3) out.total = c;
    else if (g === 1) out.byUnit.set(u!, c);
    else out.byDuty.set(ruleCode!, c);
  }
  return out;
}

/** The `limit` longest-overdue items (OPEN, due before `now`) due in [from, to), of one unit or all (as topOverdue). */
export async function overdueIn(db: Db, opts: { from: Date; to: Date; now: Date; unitId?: number; limit: number }): Promise<StatRow[]> {
  const { from, to, now, unitId, limit } = opts;
  const end = to < now ? to : now;
  return db.$queryRaw<StatRow[]>`
    SELECT o.id, o."unitId", u.name AS "unitName", o."personId", p.name AS "personName", o."ruleCode", o.title,
           o."status"::text AS status, o.late, o."dueAt"
    FROM "Obligation" o JOIN "Unit" u ON u.id = o."unitId" LEFT JOIN "Person" p ON p.id = o."personId"
    WHERE o."status" = 'OPEN' AND o."dueAt" >= ${from} AND o."dueAt" < ${end}
      ${unitId !== undefined ? Prisma.sql`AND o."unitId" = ${unitId}` : Prisma.empty}
    ORDER BY o."dueAt", o.id
    LIMIT ${limit}`;
}

/** A unit's open items of the current period and earlier (what it still owes), by due date. */
export async function openItemsOfUnit(db: Db, unitId: number, now: Date): Promise<StatRow[]> {
  const rows = await db.obligation.findMany({
    where: { unitId, status: 'OPEN', periodStart: { lte: now } },
    select: ROW_SELECT,
    orderBy: [{ dueAt: 'asc' }, { id: 'asc' }],
  });
  return rows.map(toRow);
}

/** Overdue open items (OPEN, due before `now`) per active unit (units with none included, count 0), in unit id order. */
export async function overdueByUnit(db: Db, now: Date): Promise<Array<{ id: number; name: string; overdue: number }>> {
  return db.$queryRaw<Array<{ id: number; name: string; overdue: number }>>`
    SELECT u.id, u.name, COALESCE(c.n, 0)::int AS overdue
    FROM "Unit" u
    LEFT JOIN (SELECT o."unitId", count(*) AS n FROM "Obligation" o WHERE o."status" = 'OPEN' AND o."dueAt" < ${now} GROUP BY 1) c ON c."unitId" = u.id
    WHERE u.active AND u.kind <> 'OD'
    ORDER BY u.id`;
}

/** Active units (not the OD itself), for name matching, in id order. */
export async function activeUnits(db: Db): Promise<Array<{ id: number; name: string; code: string }>> {
  return db.$queryRaw<Array<{ id: number; name: string; code: string }>>`SELECT id, name, code FROM "Unit" WHERE active AND kind <> 'OD' ORDER BY id`;
}

/** Obligations of one duty for one period key that are not done (and not cancelled), of one unit or all. */
export async function notDone(db: Db, opts: { ruleCode: string; periodKey: string; unitId?: number }): Promise<StatRow[]> {
  const rows = await db.obligation.findMany({
    where: { ruleCode: opts.ruleCode, periodKey: opts.periodKey, status: 'OPEN', ...(opts.unitId !== undefined ? { unitId: opts.unitId } : {}) },
    select: ROW_SELECT,
    orderBy: [{ unitId: 'asc' }, { id: 'asc' }],
  });
  return rows.map(toRow);
}
