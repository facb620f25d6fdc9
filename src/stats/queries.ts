// Reads for the oversight commands (/待办, /单位, /统计 and the plain questions).
import type { Db } from '../db/client.js';
import type { StatRow } from '../domain/stats/aggregate.js';

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

/** A unit's open items of the current period and earlier (what it still owes), by due date. */
export async function openItemsOfUnit(db: Db, unitId: number, now: Date): Promise<StatRow[]> {
  const rows = await db.obligation.findMany({
    where: { unitId, status: 'OPEN', periodStart: { lte: now } },
    select: ROW_SELECT,
    orderBy: [{ dueAt: 'asc' }, { id: 'asc' }],
  });
  return rows.map(toRow);
}

/** Overdue open items per active unit (units with none included, count 0). */
export async function overdueByUnit(db: Db, now: Date): Promise<Array<{ id: number; name: string; overdue: number }>> {
  const [units, counts] = await Promise.all([
    db.unit.findMany({ where: { active: true, kind: { not: 'OD' } }, select: { id: true, name: true }, orderBy: { id: 'asc' } }),
    db.obligation.groupBy({ by: ['unitId'], where: { status: 'OPEN', dueAt: { lt: now } }, _count: { _all: true } }),
  ]);
  const byUnit = new Map(counts.map((c) => [c.unitId, c._count._all]));
  return units.map((u) => ({ ...u, overdue: byUnit.get(u.id) ?? 0 }));
}

/** Active units (not the OD itself), for name matching. */
export async function activeUnits(db: Db): Promise<Array<{ id: number; name: string; code: string }>> {
  return db.unit.findMany({ where: { active: true, kind: { not: 'OD' } }, select: { id: true, name: true, code: true }, orderBy: { id: 'asc' } });
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
