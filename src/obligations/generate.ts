import type { Db } from '../db/client.js';
import type { Catalog } from '../domain/duties/catalog.js';
import { obligationKey, planListItem, planMilestone, planObligations, type PlannedObligation } from '../domain/duties/plan.js';
import { syncWeakOrgs } from '../oversight/weak-orgs.js';
import { insertPlanned } from './insert.js';

export interface GenerateResult {
  planned: number;
  created: number;
  /** Future open obligations no longer owed (left the roster, changed role, item removed). */
  cancelled: number;
  /** Cancelled ones owed again (rejoined, role restored). */
  reopened: number;
}

const CHUNK = 5000;

/**
 * Write a year's obligations for the roster as it is now. Idempotent: rows go in through the unique
 * key (ruleCode, ownerKey, periodKey, subjectKey), so running it again creates nothing. Only the
 * future is touched: what is already due stays as it was.
 */
export async function generateObligations(
  db: Db,
  o: { year: number; now: Date; catalog: Catalog; onProgress?: (done: number, total: number) => void },
): Promise<GenerateResult> {
  const [units, people, points, listItems, projects] = await Promise.all([
    db.unit.findMany({ select: { id: true, kind: true, active: true } }),
    db.person.findMany({ select: { id: true, unitId: true, role: true, active: true, activeFrom: true } }),
    db.liaisonPoint.findMany({ select: { personId: true, orgId: true, active: true, org: { select: { name: true } } } }),
    db.listItem.findMany({ where: { year: o.year }, include: { unit: { select: { active: true } } } }),
    db.project.findMany({ where: { year: o.year }, include: { milestones: true } }),
  ]);
  const activePeople = new Set(people.filter((p) => p.active).map((p) => p.id));

  const plan: PlannedObligation[] = planObligations({
    year: o.year,
    now: o.now,
    catalog: o.catalog,
    roster: {
      units,
      people,
      liaisonPoints: points.map((p) => ({ personId: p.personId, orgId: p.orgId, orgName: p.org.name, active: p.active })),
    },
  });
  for (const item of listItems) {
    if (!item.unit.active) continue;
    const planned = planListItem(item);
    if (planned.dueAt > o.now) plan.push(planned);
  }
  for (const project of projects) {
    if (!activePeople.has(project.ownerPersonId)) continue;
    for (const ms of project.milestones) {
      const planned = planMilestone(project, ms);
      if (planned.dueAt > o.now) plan.push(planned);
    }
  }

  const created = await insertPlanned(db, plan, o.now, o.onProgress);

  // Reconcile the future of this year with the plan.
  const wanted = new Set(plan.map(obligationKey));
  const yearStart = new Date(Date.UTC(o.year - 1, 11, 31, 16)); // Jan 1 00:00 Beijing time
  const future = await db.obligation.findMany({
    where: { dueAt: { gt: o.now }, periodStart: { gte: yearStart }, status: { in: ['OPEN', 'CANCELLED'] }, ruleCode: { in: plannedRuleCodes(o.catalog) } },
    select: { id: true, ruleCode: true, ownerKey: true, periodKey: true, subjectKey: true, status: true, periodStart: true },
  });
  const yearEnd = new Date(Date.UTC(o.year, 11, 31, 16));
  const toCancel: number[] = [];
  const toReopen: number[] = [];
  for (const ob of future) {
    if (ob.periodStart >= yearEnd) continue;
    const inPlan = wanted.has(obligationKey(ob));
    if (ob.status === 'OPEN' && !inPlan) toCancel.push(ob.id);
    if (ob.status === 'CANCELLED' && inPlan) toReopen.push(ob.id);
  }
  for (let i = 0; i < toCancel.length; i += CHUNK) {
    await db.obligation.updateMany({ where: { id: { in: toCancel.slice(i, i + CHUNK) }, status: 'OPEN' }, data: { status: 'CANCELLED' } });
  }
  for (let i = 0; i < toReopen.length; i += CHUNK) {
    await db.obligation.updateMany({ where: { id: { in: toReopen.slice(i, i + CHUNK) }, status: 'CANCELLED' }, data: { status: 'OPEN' } });
  }
  // Weak-org rectification records and their progress obligations (src/oversight/weak-orgs.ts).
  const weak = await syncWeakOrgs(db, o);
  return { planned: plan.length + weak.planned, created: created + weak.created, cancelled: toCancel.length + weak.cancelled, reopened: toReopen.length };
}

/** The rules this generator owns (calendar duties, list items, milestones); others are set elsewhere. */
function plannedRuleCodes(catalog: Catalog): string[] {
  return catalog.rules
    .filter((r) => (r.recurrence.kind !== 'set' && !r.subject) || r.code === 'LIST_ITEM' || r.code === 'PROJECT_MILESTONE')
    .map((r) => r.code);
}
