// Weak-and-lax (软弱涣散) orgs under rectification (duty 10, 四(一)3): one WeakOrgRectification record
// per marking, open until the OD lifts the mark, and the monthly progress obligations it owes
// (planWeakOrgObligations). syncWeakOrgs keeps records and obligations in step with the roster flag and
// runs at the end of every generateObligations; markWeak and liftMark are the OD's /整顿 标记 and
// /整顿 销号. All idempotent. See docs/weak-orgs.md.
import type { Tx } from '../db/bulk.js';
import type { Db } from '../db/client.js';
import type { Deps } from '../deps.js';
import { beijingDay } from '../domain/calendar/working-days.js';
import type { Catalog, DutyRule } from '../domain/duties/catalog.js';
import type { PlannedObligation } from '../domain/duties/plan.js';
import { FIRST_REPORT_AFTER_DAYS, monthsRunning, planWeakOrgObligations, rectificationProgress, weakSubjectKey, type RectificationProgress } from '../domain/oversight/weak-org-plan.js';
import { AppError } from '../errors.js';
import { insertPlanned } from '../obligations/insert.js';
import { sendToEach } from '../lark/send-each.js';
import { message } from '../templates/render.js';

export const IMPORT_LIFT_NOTE = '花名册导入取消了软弱涣散标记';
const INACTIVE_LIFT_NOTE = '花名册中已没有该组织';
export const LIFTED_PURPOSE = 'weak-org-lifted';

export interface WeakOrgSyncResult {
  /** Records created for orgs the roster marks weak */
  opened: number;
  /** Open records lifted because the roster no longer marks the org (or no longer lists it) */
  lifted: number;
  planned: number;
  created: number;
  /** Open obligations of lifted records cancelled */
  cancelled: number;
}

/** The catalog rules owed per open rectification record (WEAK_ORG_RECTIFICATION in the shipped catalog). */
function weakOrgRules(catalog: Catalog): DutyRule[] {
  return catalog.rules.filter((r) => r.subject === 'weakOrg');
}

/** Their codes: every read of a record's obligations filters on them, so it walks the obligation key's index. */
function weakOrgRuleCodes(catalog: Catalog): string[] {
  return weakOrgRules(catalog).map((r) => r.code);
}

/**
 * Bring records and obligations in line with the roster's 软弱涣散 flags: open a record for every active
 * weak org without one for its weakLaxSince, lift the open records of orgs no longer weak (or gone),
 * plan `year`'s progress obligations of the open records, cancel those of lifted ones not yet due.
 */
export async function syncWeakOrgs(db: Db, o: { year: number; now: Date; catalog: Catalog }): Promise<WeakOrgSyncResult> {
  const weak = await db.grassrootsOrg.findMany({ where: { active: true, weakLax: true, weakLaxSince: { not: null } }, select: { id: true, weakLaxSince: true } });
  const opened = await db.weakOrgRectification.createMany({ data: weak.map((org) => ({ orgId: org.id, since: org.weakLaxSince! })), skipDuplicates: true });

  const stale = await db.weakOrgRectification.findMany({
    where: { liftedAt: null, org: { OR: [{ weakLax: false }, { active: false }] } },
    select: { id: true, org: { select: { active: true } } },
  });
  let lifted = 0;
  for (const [liftNote, ids] of [
    [IMPORT_LIFT_NOTE, stale.filter((r) => r.org.active).map((r) => r.id)],
    [INACTIVE_LIFT_NOTE, stale.filter((r) => !r.org.active).map((r) => r.id)],
  ] as const) {
    if (ids.length) lifted += (await db.weakOrgRectification.updateMany({ where: { id: { in: [...ids] }, liftedAt: null }, data: { liftedAt: o.now, liftedById: null, liftNote } })).count;
  }

  const { planned, created } = await planOpenRecords(db, { years: [o.year], now: o.now, catalog: o.catalog });
  const liftedIds = (await db.weakOrgRectification.findMany({ where: { liftedAt: { not: null } }, select: { id: true } })).map((r) => r.id);
  const cancelled = await cancelObligationsOf(db, weakOrgRuleCodes(o.catalog), liftedIds, o.now);
  return { opened: opened.count, lifted, planned, created, cancelled };
}

/** Plan the progress obligations of open records (all, or `recordIds`) for each of `years`. */
async function planOpenRecords(tx: Tx, o: { years: number[]; now: Date; catalog: Catalog; recordIds?: number[] }): Promise<{ planned: number; created: number }> {
  const rules = weakOrgRules(o.catalog);
  if (!rules.length) return { planned: 0, created: 0 };
  const rows = await tx.weakOrgRectification.findMany({
    where: { liftedAt: null, ...(o.recordIds ? { id: { in: o.recordIds } } : {}), org: { active: true, unit: { active: true, kind: { not: 'OD' } } } },
    select: { id: true, orgId: true, since: true, liftedAt: true, org: { select: { name: true, unitId: true } } },
  });
  if (!rows.length) return { planned: 0, created: 0 };
  const records = rows.map((r) => ({ id: r.id, orgId: r.orgId, orgName: r.org.name, unitId: r.org.unitId, since: r.since, liftedAt: r.liftedAt }));
  const unitIds = [...new Set(records.map((r) => r.unitId))];
  const plan: PlannedObligation[] = [];
  for (const rule of rules) {
    const people = await tx.person.findMany({
      where: { unitId: { in: unitIds }, active: true, role: rule.accountableRole ?? 'SECRETARY' },
      select: { id: true, unitId: true },
      orderBy: { id: 'desc' },
    });
    const accountable = new Map(people.map((p) => [p.unitId, p.id])); // lowest id wins (written last)
    for (const year of o.years) plan.push(...planWeakOrgObligations({ records, rule, accountable, year, now: o.now }));
  }
  return { planned: plan.length, created: await insertPlanned(tx, plan, o.now) };
}

/**
 * Cancel the OPEN progress obligations of these records that are not yet due at `now`. Reports that
 * were due while the org was still marked and never came stay overdue: they were owed, and the
 * assessment counts them.
 */
async function cancelObligationsOf(tx: Tx, ruleCodes: string[], recordIds: readonly number[], now: Date): Promise<number> {
  if (!recordIds.length) return 0;
  const res = await tx.obligation.updateMany({
    where: { ruleCode: { in: ruleCodes }, subjectKey: { in: recordIds.map(weakSubjectKey) }, status: 'OPEN', dueAt: { gt: now } },
    data: { status: 'CANCELLED' },
  });
  return res.count;
}

export interface OrgRef {
  id: number;
  name: string;
  unitId: number;
}

/**
 * /整顿 标记: mark the org weak from `now`, open its record and plan its progress obligations, in one
 * transaction. The years planned are those of now and of now + 15 days (a mark late in December owes
 * January's report first). Refused if the org is marked already.
 */
export async function markWeak(deps: Pick<Deps, 'db' | 'catalog' | 'log'>, org: OrgRef, by: { id: number }, now: Date): Promise<{ recordId: number; obligations: number }> {
  const result = await deps.db.$transaction(async (tx) => {
    const flipped = await tx.grassrootsOrg.updateMany({ where: { id: org.id, weakLax: false }, data: { weakLax: true, weakLaxSince: now } });
    const open = await tx.weakOrgRectification.findFirst({ where: { orgId: org.id, liftedAt: null }, select: { since: true } });
    if (flipped.count === 0 || open) {
      const since = open?.since ?? (await tx.grassrootsOrg.findUnique({ where: { id: org.id }, select: { weakLaxSince: true } }))?.weakLaxSince;
      throw new AppError('conflict', `${org.name}已被标记为软弱涣散党组织${since ? `（自 ${beijingDay(since)} 起）` : ''}，正在整顿中。`);
    }
    const record = await tx.weakOrgRectification.create({ data: { orgId: org.id, since: now } });
    const years = [...new Set([now, new Date(now.getTime() + FIRST_REPORT_AFTER_DAYS * 24 * 3600_000)].map((d) => Number(beijingDay(d).slice(0, 4))))];
    const { created } = await planOpenRecords(tx, { years, now, catalog: deps.catalog.current, recordIds: [record.id] });
    return { recordId: record.id, obligations: created };
  });
  deps.log.info({ orgId: org.id, recordId: result.recordId, by: by.id }, 'weak org marked');
  return result;
}

/**
 * /整顿 销号: lift the mark, close the open record (liftedAt, by, note) and cancel its progress
 * obligations not yet due, in one transaction; then tell the unit's secretary (uuid per record and person, so a
 * retried command sends nothing twice). Refused if the org is not marked.
 */
export async function liftMark(
  deps: Pick<Deps, 'db' | 'messenger' | 'log' | 'catalog'>,
  org: OrgRef,
  by: { id: number },
  note: string,
  now: Date,
): Promise<{ since: Date | null; cancelled: number; notified: string[]; notReached: string[] }> {
  const { records, cancelled } = await deps.db.$transaction(async (tx) => {
    const records = await tx.weakOrgRectification.findMany({ where: { orgId: org.id, liftedAt: null }, select: { id: true, since: true } });
    const unflagged = await tx.grassrootsOrg.updateMany({ where: { id: org.id, weakLax: true }, data: { weakLax: false, weakLaxSince: null } });
    if (!records.length && unflagged.count === 0) throw new AppError('conflict', `${org.name}目前没有被标记为软弱涣散党组织，无需销号。`);
    const ids = records.map((r) => r.id);
    await tx.weakOrgRectification.updateMany({ where: { id: { in: ids }, liftedAt: null }, data: { liftedAt: now, liftedById: by.id, liftNote: note } });
    return { records, cancelled: await cancelObligationsOf(tx, weakOrgRuleCodes(deps.catalog.current), ids, now) };
  });
  const since = records.map((r) => r.since).sort((a, b) => a.getTime() - b.getTime())[0] ?? null;
  deps.log.info({ orgId: org.id, records: records.map((r) => r.id), by: by.id, cancelled }, 'weak org mark lifted');

  const secretaries = await deps.db.person.findMany({ where: { unitId: org.unitId, role: 'SECRETARY', active: true }, select: { id: true, name: true, larkOpenId: true }, orderBy: { id: 'asc' } });
  const text = message('weak-org-lifted', {
    org: org.name,
    since: since ? `（自 ${beijingDay(since)} 起整顿${monthsText(monthsRunning(since, now))}）` : '',
    note: note ? `说明：${note}\n` : '',
  });
  const { reached, notReached } = await sendToEach(
    secretaries,
    (openId, s) => deps.messenger.text({ openId }, text, { purpose: LIFTED_PURPOSE, key: `${records[0]?.id ?? `org${org.id}`}-${s.id}` }).then(() => undefined),
    'report-all', // the lift stands; the OD staff member is told who could not be reached
    deps.log.child({ orgId: org.id }),
  );
  const names = (list: { name: string }[]) => list.map((p) => p.name);
  return { since, cancelled, notified: names(reached), notReached: names(notReached) };
}

/** '，已 10 个月' / '，不足 1 个月' */
export function monthsText(months: number): string {
  return months > 0 ? `，已 ${months} 个月` : '，不足 1 个月';
}

export interface RectificationView {
  id: number;
  orgName: string;
  orgCode: string;
  unitName: string;
  since: Date;
  months: number;
  progress: RectificationProgress;
  latestReportAt: Date | null;
  /** Leaders whose liaison point the org is: '梁振华（镇党委书记）' */
  leaders: string[];
}

/** The open rectification records of one unit, or (unitId undefined) of the district, by unit then org. */
export async function openRectifications(db: Db, o: { unitId?: number; now: Date; catalog: Catalog }): Promise<RectificationView[]> {
  const records = await db.weakOrgRectification.findMany({
    where: { liftedAt: null, org: { active: true, ...(o.unitId !== undefined ? { unitId: o.unitId } : {}) } },
    select: {
      id: true,
      since: true,
      org: {
        select: {
          id: true,
          code: true,
          name: true,
          unitId: true,
          unit: { select: { name: true } },
          liaisonPoints: { where: { active: true, person: { active: true } }, select: { person: { select: { name: true, title: true } } }, orderBy: { personId: 'asc' } },
        },
      },
    },
    orderBy: [{ org: { unitId: 'asc' } }, { org: { code: 'asc' } }, { id: 'asc' }],
  });
  const keys = records.map((r) => weakSubjectKey(r.id));
  const obligations = keys.length
    ? await db.obligation.findMany({ where: { ruleCode: { in: weakOrgRuleCodes(o.catalog) }, subjectKey: { in: keys } }, select: { id: true, subjectKey: true, status: true, dueAt: true } })
    : [];
  const latest = obligations.length
    ? await db.report.groupBy({ by: ['obligationId'], where: { obligationId: { in: obligations.map((ob) => ob.id) }, withdrawnAt: null }, _max: { createdAt: true } })
    : [];
  const latestByObligation = new Map(latest.map((l) => [l.obligationId, l._max.createdAt]));
  return records.map((r) => {
    const mine = obligations.filter((ob) => ob.subjectKey === weakSubjectKey(r.id));
    const dates = mine.map((ob) => latestByObligation.get(ob.id)).filter((d): d is Date => !!d);
    return {
      id: r.id,
      orgName: r.org.name,
      orgCode: r.org.code,
      unitName: r.org.unit.name,
      since: r.since,
      months: monthsRunning(r.since, o.now),
      progress: rectificationProgress(mine, o.now),
      latestReportAt: dates.length ? new Date(Math.max(...dates.map((d) => d.getTime()))) : null,
      leaders: r.org.liaisonPoints.map((lp) => (lp.person.title ? `${lp.person.name}（${lp.person.title}）` : lp.person.name)),
    };
  });
}
