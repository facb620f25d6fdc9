// Applying parsed roster, responsibility-list and project files to the database.
// Each import is all-or-nothing: every problem is collected first, and the writes happen in ONE transaction.
import type { PrismaClient } from '../generated/prisma/client.js';
import type { ProjectKind, Role, UnitKind } from '../generated/prisma/enums.js';
import { checkListReferences, type ParsedList, parseList } from '../domain/roster/list.js';
import { checkProjectReferences, type ParsedProjects, parseProjects, projectKey } from '../domain/roster/projects.js';
import type { RosterRefs } from '../domain/roster/refs.js';
import { type ParsedRoster, type PersonRow, parseRoster, ROSTER_SHEET_ORDER, ROSTER_SHEETS } from '../domain/roster/roster.js';
import { formatProblem, type Problem, sortProblems } from '../domain/roster/table.js';
import { deadlineInstant } from '../domain/roster/values.js';
import { AppError } from '../errors.js';
import { type BulkColumn, bulkInsert, bulkUpdate, inChunks, TS, tsParam, type Tx, updateByIds } from '../db/bulk.js';
import type { ResolveIds } from './lark-resolve.js';
import { readBook } from './read-table.js';

export type { ResolveIds } from './lark-resolve.js';

/** Thrown when a file has problems; nothing was written. `problems` lists every one. */
export class ImportRejectedError extends AppError {
  constructor(readonly problems: Problem[]) {
    super('bad_input', `导入失败：发现 ${problems.length} 处问题，未写入任何数据。\n${problems.slice(0, 20).map(formatProblem).join('\n')}${problems.length > 20 ? `\n……另有 ${problems.length - 20} 处` : ''}`, {
      problems,
    });
    this.name = 'ImportRejectedError';
  }
}

export interface ImportProgress {
  step: 'resolve' | 'load' | 'units' | 'people' | 'orgs' | 'liaisonPoints' | 'listItems' | 'projects' | 'milestones' | 'done';
  /** Rows written (or looked up) in this step so far, and the step's total. */
  done: number;
  total: number;
}

export interface RosterImportOptions {
  /** The import instant: activeFrom of new or changed people, deactivatedAt, weakLaxSince. */
  now: Date;
  /** Looks up open_ids for rows with only 手机号 / 邮箱. Without it such rows are problems. */
  resolveIds?: ResolveIds;
  onProgress?: (p: ImportProgress) => void;
}

export interface Counts {
  created: number;
  updated: number;
  deactivated: number;
}

export interface RosterSummary {
  units: Counts;
  people: Counts;
  orgs: Counts;
  liaisonPoints: Counts;
  /** People whose open_id was looked up in Lark by mobile or e-mail in this import. */
  resolvedByLark: number;
}

/** Interactive transactions default to 5 s; a province-scale roster needs more. */
const TX_OPTIONS = { timeout: 10 * 60_000, maxWait: 60_000 } as const;
/** One import at a time (any kind): they read and then write the same tables. */
const IMPORT_LOCK_KEY = 0x64_6a_69_6d; // "djim"
const CREATE_CHUNK = 2000;

const UNIT_INSERT: BulkColumn[] = [
  { name: 'code', type: 'text' },
  { name: 'name', type: 'text' },
  { name: 'kind', type: { enum: 'UnitKind' } },
  { name: 'createdAt', type: 'timestamp' },
  { name: 'updatedAt', type: 'timestamp' },
];
const PERSON_INSERT: BulkColumn[] = [
  { name: 'code', type: 'text' },
  { name: 'name', type: 'text' },
  { name: 'unitId', type: 'int' },
  { name: 'role', type: { enum: 'Role' } },
  { name: 'title', type: 'text' },
  { name: 'larkOpenId', type: 'text' },
  { name: 'mobile', type: 'text' },
  { name: 'email', type: 'text' },
  { name: 'activeFrom', type: 'timestamp' },
  { name: 'createdAt', type: 'timestamp' },
  { name: 'updatedAt', type: 'timestamp' },
];
const ORG_INSERT: BulkColumn[] = [
  { name: 'code', type: 'text' },
  { name: 'name', type: 'text' },
  { name: 'unitId', type: 'int' },
  { name: 'kind', type: { enum: 'OrgKind' } },
  { name: 'weakLax', type: 'bool' },
  { name: 'weakLaxSince', type: 'timestamp' },
  { name: 'createdAt', type: 'timestamp' },
  { name: 'updatedAt', type: 'timestamp' },
];
const LIAISON_INSERT: BulkColumn[] = [
  { name: 'personId', type: 'int' },
  { name: 'orgId', type: 'int' },
  { name: 'createdAt', type: 'timestamp' },
];

const zero = (): Counts => ({ created: 0, updated: 0, deactivated: 0 });

async function lock(tx: Tx): Promise<void> {
  await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(${IMPORT_LOCK_KEY})`);
}

// ---------------------------------------------------------------- Lark identity

/**
 * The open_id of every person row: given in the file, kept from the database when the mobile / e-mail it was
 * found by is unchanged, or looked up through `resolveIds`. Unresolved or conflicting rows become problems.
 */
async function resolveOpenIds(
  prisma: PrismaClient,
  people: readonly PersonRow[],
  resolveIds: ResolveIds | undefined,
  problems: Problem[],
): Promise<{ openIds: Map<string, string>; resolved: number }> {
  const sheet = ROSTER_SHEETS.people;
  const openIds = new Map<string, string>(); // person code → open_id
  const prior = new Map(
    (await prisma.person.findMany({ select: { code: true, larkOpenId: true, mobile: true, email: true } })).map((p) => [p.code, p]),
  );
  const pending: PersonRow[] = [];
  for (const p of people) {
    if (p.larkOpenId !== null) {
      openIds.set(p.code, p.larkOpenId);
      continue;
    }
    const old = prior.get(p.code);
    const sameKey = p.mobile !== null ? p.mobile === old?.mobile : p.email !== null && p.email === old?.email;
    if (old?.larkOpenId && sameKey) openIds.set(p.code, old.larkOpenId);
    else pending.push(p);
  }

  let resolved = 0;
  if (pending.length > 0) {
    if (!resolveIds) {
      for (const p of pending) {
        problems.push({
          sheet,
          row: p.row,
          column: p.mobile !== null ? '手机号' : '邮箱',
          message: '此人没有填飞书open_id，需要按手机号或邮箱到飞书通讯录查找，但本次导入未连接飞书；请填写飞书open_id，或在连接飞书后再导入',
        });
      }
    } else {
      const mobiles = pending.flatMap((p) => (p.mobile !== null ? [p.mobile] : []));
      const emails = pending.flatMap((p) => (p.email !== null ? [p.email] : []));
      const found = await resolveIds(mobiles, emails);
      for (const p of pending) {
        const byMobile = p.mobile !== null ? found.get(p.mobile) : undefined;
        const byEmail = p.email !== null ? found.get(p.email) : undefined;
        if (byMobile !== undefined && byEmail !== undefined && byMobile !== byEmail) {
          problems.push({ sheet, row: p.row, column: '邮箱', message: `手机号「${p.mobile}」和邮箱「${p.email}」在飞书中是两个不同的账号，请核对` });
          continue;
        }
        const id = byMobile ?? byEmail;
        if (id === undefined) {
          const what = [p.mobile !== null ? `手机号「${p.mobile}」` : '', p.email !== null ? `邮箱「${p.email}」` : ''].filter(Boolean).join('或');
          problems.push({
            sheet,
            row: p.row,
            column: p.mobile !== null ? '手机号' : '邮箱',
            message: `在飞书通讯录中找不到${what}对应的用户：请确认此人已加入本单位飞书、在应用的可用范围内，或直接填写飞书open_id`,
          });
          continue;
        }
        openIds.set(p.code, id);
        resolved++;
      }
    }
  }

  // Two rows that end up as one Lark account.
  const firstRow = new Map<string, PersonRow>();
  for (const p of people) {
    const id = openIds.get(p.code);
    if (id === undefined) continue;
    const first = firstRow.get(id);
    if (first) {
      problems.push({
        sheet,
        row: p.row,
        column: p.larkOpenId !== null ? '飞书open_id' : p.mobile !== null ? '手机号' : '邮箱',
        message: `与第 ${first.row} 行（${first.code} ${first.name}）是同一个飞书账号（${id}）`,
      });
    } else firstRow.set(id, p);
  }
  return { openIds, resolved };
}

// ---------------------------------------------------------------- roster

/**
 * Import a whole roster (名册). The roster is complete: units, people, orgs and liaison points that exist in the
 * database but not in it are deactivated (rows kept). Existing rows are updated in place by their codes.
 * A person whose role or unit changes, or who comes back, gets activeFrom = now.
 * Throws ImportRejectedError (nothing written) when any row has a problem.
 */
export async function importRoster(prisma: PrismaClient, roster: ParsedRoster, opts: RosterImportOptions): Promise<RosterSummary> {
  const { now } = opts;
  const progress = opts.onProgress ?? (() => {});
  const problems: Problem[] = [];

  progress({ step: 'resolve', done: 0, total: roster.people.length });
  const { openIds, resolved } = await resolveOpenIds(prisma, roster.people, opts.resolveIds, problems);
  progress({ step: 'resolve', done: roster.people.length, total: roster.people.length });
  if (problems.length > 0) throw new ImportRejectedError(sortProblems(problems, ROSTER_SHEET_ORDER));

  return prisma.$transaction(async (tx) => {
    await lock(tx);
    const summary: RosterSummary = { units: zero(), people: zero(), orgs: zero(), liaisonPoints: zero(), resolvedByLark: resolved };
    progress({ step: 'load', done: 0, total: 4 });
    const [oldUnits, oldPeople, oldOrgs, oldPoints] = await Promise.all([
      tx.unit.findMany({ select: { id: true, code: true, name: true, kind: true, active: true } }),
      tx.person.findMany({
        select: {
          id: true, code: true, name: true, unitId: true, role: true, title: true, larkOpenId: true,
          mobile: true, email: true, active: true, activeFrom: true,
        },
      }),
      tx.grassrootsOrg.findMany({
        select: { id: true, code: true, name: true, unitId: true, kind: true, weakLax: true, weakLaxSince: true, active: true },
      }),
      tx.liaisonPoint.findMany({ select: { id: true, personId: true, orgId: true, active: true } }),
    ]);
    progress({ step: 'load', done: 4, total: 4 });

    // ------------------------------------------------ units
    const unitId = new Map<string, number>();
    {
      const old = new Map(oldUnits.map((u) => [u.code, u]));
      const rows = roster.units;
      const inFile = new Set(rows.map((r) => r.code));
      const claimedNames = new Set(rows.map((r) => r.name));
      const finalName = new Map<number, string>();
      const updates: unknown[][] = [];
      for (const r of rows) {
        const o = old.get(r.code);
        if (!o) continue;
        unitId.set(r.code, o.id);
        finalName.set(o.id, r.name);
        if (o.name !== r.name || o.kind !== r.kind || !o.active) updates.push([o.id, r.name, r.kind, true, now]);
      }
      const gone = oldUnits.filter((u) => !inFile.has(u.code));
      const deactivate = gone.filter((u) => u.active).map((u) => u.id);
      // A unit left out keeps its name unless a unit in the file now uses it (e.g. renumbered): then it is marked.
      for (const u of gone) {
        if (claimedNames.has(u.name)) {
          const marked = `${u.name}（已停用·${u.code}）`;
          finalName.set(u.id, marked);
          updates.push([u.id, marked, u.kind, false, now]);
        }
      }
      // Names are unique: park every name that moves, then set the final ones.
      const moving = oldUnits.filter((u) => finalName.has(u.id) && finalName.get(u.id) !== u.name);
      await bulkUpdate(tx, 'Unit', [{ name: 'name', type: 'text' }], moving.map((u) => [u.id, `\u0001${u.id}`]));
      await bulkUpdate(
        tx,
        'Unit',
        [
          { name: 'name', type: 'text' },
          { name: 'kind', type: { enum: 'UnitKind' } },
          { name: 'active', type: 'bool' },
          { name: 'updatedAt', type: 'timestamp' },
        ],
        updates,
      );
      await updateByIds(tx, 'Unit', deactivate, `"active" = false, "updatedAt" = ${TS(2)}`, tsParam(now));
      const creates = rows.filter((r) => !old.has(r.code));
      const madeUnits = await bulkInsert(tx, 'Unit', UNIT_INSERT, creates.map((r) => [r.code, r.name, r.kind, now, now]), 'code');
      for (const [code, id] of madeUnits) unitId.set(code, id);
      summary.units = {
        created: creates.length,
        updated: updates.filter((u) => u[3] === true).length,
        deactivated: deactivate.length,
      };
      progress({ step: 'units', done: rows.length, total: rows.length });
    }

    // ------------------------------------------------ people
    const personId = new Map<string, number>();
    {
      const old = new Map(oldPeople.map((p) => [p.code, p]));
      const rows = roster.people;
      const inFile = new Set(rows.map((r) => r.code));
      const claimedOpenIds = new Map<string, string>(); // open_id → person code
      for (const r of rows) claimedOpenIds.set(openIds.get(r.code)!, r.code);
      // Park every open_id that moves (unique column): present people whose id changes, and people left out
      // whose id a present person now uses. The final values are written below.
      const release: number[] = [];
      for (const p of oldPeople) {
        if (p.larkOpenId === null) continue;
        const claimant = claimedOpenIds.get(p.larkOpenId);
        if (inFile.has(p.code) ? openIds.get(p.code) !== p.larkOpenId : claimant !== undefined) release.push(p.id);
      }
      await updateByIds(tx, 'Person', release, `"larkOpenId" = NULL`);

      const updates: unknown[][] = [];
      let changed = 0;
      for (const r of rows) {
        const o = old.get(r.code);
        if (!o) continue;
        personId.set(r.code, o.id);
        const uid = unitId.get(r.unitCode)!;
        const openId = openIds.get(r.code)!;
        const moved = o.role !== r.role || o.unitId !== uid || !o.active;
        const differs =
          moved || o.name !== r.name || o.title !== r.title || o.larkOpenId !== openId || o.mobile !== r.mobile || o.email !== r.email;
        if (!differs) continue;
        changed++;
        updates.push([o.id, r.name, uid, r.role, r.title, openId, r.mobile, r.email, true, moved ? now : o.activeFrom, null, now]);
      }
      await bulkUpdate(
        tx,
        'Person',
        [
          { name: 'name', type: 'text' },
          { name: 'unitId', type: 'int' },
          { name: 'role', type: { enum: 'Role' } },
          { name: 'title', type: 'text' },
          { name: 'larkOpenId', type: 'text' },
          { name: 'mobile', type: 'text' },
          { name: 'email', type: 'text' },
          { name: 'active', type: 'bool' },
          { name: 'activeFrom', type: 'timestamp' },
          { name: 'deactivatedAt', type: 'timestamp' },
          { name: 'updatedAt', type: 'timestamp' },
        ],
        updates,
      );
      const deactivate = oldPeople.filter((p) => p.active && !inFile.has(p.code)).map((p) => p.id);
      await updateByIds(tx, 'Person', deactivate, `"active" = false, "deactivatedAt" = ${TS(2)}, "updatedAt" = ${TS(2)}`, tsParam(now));
      const creates = rows.filter((r) => !old.has(r.code));
      const madePeople = await bulkInsert(
        tx,
        'Person',
        PERSON_INSERT,
        creates.map((r) => [r.code, r.name, unitId.get(r.unitCode)!, r.role, r.title, openIds.get(r.code)!, r.mobile, r.email, now, now, now]),
        'code',
      );
      for (const [code, id] of madePeople) personId.set(code, id);
      summary.people = { created: creates.length, updated: changed, deactivated: deactivate.length };
      progress({ step: 'people', done: rows.length, total: rows.length });
    }

    // ------------------------------------------------ grassroots orgs
    const orgId = new Map<string, number>();
    {
      const old = new Map(oldOrgs.map((o) => [o.code, o]));
      const rows = roster.orgs;
      const inFile = new Set(rows.map((r) => r.code));
      const updates: unknown[][] = [];
      for (const r of rows) {
        const o = old.get(r.code);
        if (!o) continue;
        orgId.set(r.code, o.id);
        const uid = unitId.get(r.unitCode)!;
        if (o.name === r.name && o.unitId === uid && o.kind === r.kind && o.weakLax === r.weakLax && o.active) continue;
        const since = r.weakLax ? (o.weakLax && o.weakLaxSince ? o.weakLaxSince : now) : null;
        updates.push([o.id, r.name, uid, r.kind, r.weakLax, since, true, now]);
      }
      await bulkUpdate(
        tx,
        'GrassrootsOrg',
        [
          { name: 'name', type: 'text' },
          { name: 'unitId', type: 'int' },
          { name: 'kind', type: { enum: 'OrgKind' } },
          { name: 'weakLax', type: 'bool' },
          { name: 'weakLaxSince', type: 'timestamp' },
          { name: 'active', type: 'bool' },
          { name: 'updatedAt', type: 'timestamp' },
        ],
        updates,
      );
      const deactivate = oldOrgs.filter((o) => o.active && !inFile.has(o.code)).map((o) => o.id);
      await updateByIds(tx, 'GrassrootsOrg', deactivate, `"active" = false, "updatedAt" = ${TS(2)}`, tsParam(now));
      const creates = rows.filter((r) => !old.has(r.code));
      const madeOrgs = await bulkInsert(
        tx,
        'GrassrootsOrg',
        ORG_INSERT,
        creates.map((r) => [r.code, r.name, unitId.get(r.unitCode)!, r.kind, r.weakLax, r.weakLax ? now : null, now, now]),
        'code',
      );
      for (const [code, id] of madeOrgs) orgId.set(code, id);
      summary.orgs = { created: creates.length, updated: updates.length, deactivated: deactivate.length };
      progress({ step: 'orgs', done: rows.length, total: rows.length });
    }

    // ------------------------------------------------ liaison points
    {
      const key = (p: number, o: number) => `${p}:${o}`;
      const old = new Map(oldPoints.map((lp) => [key(lp.personId, lp.orgId), lp]));
      const wanted = roster.liaisonPoints.map((r) => ({ personId: personId.get(r.personCode)!, orgId: orgId.get(r.orgCode)! }));
      const inFile = new Set(wanted.map((w) => key(w.personId, w.orgId)));
      const reactivate = wanted.flatMap((w) => {
        const o = old.get(key(w.personId, w.orgId));
        return o && !o.active ? [o.id] : [];
      });
      const deactivate = oldPoints.filter((lp) => lp.active && !inFile.has(key(lp.personId, lp.orgId))).map((lp) => lp.id);
      await updateByIds(tx, 'LiaisonPoint', reactivate, `"active" = true`);
      await updateByIds(tx, 'LiaisonPoint', deactivate, `"active" = false`);
      const creates = wanted.filter((w) => !old.has(key(w.personId, w.orgId)));
      await bulkInsert(tx, 'LiaisonPoint', LIAISON_INSERT, creates.map((w) => [w.personId, w.orgId, now]), 'id');
      summary.liaisonPoints = { created: creates.length, updated: reactivate.length, deactivated: deactivate.length };
      progress({ step: 'liaisonPoints', done: wanted.length, total: wanted.length });
    }

    progress({ step: 'done', done: 1, total: 1 });
    return summary;
  }, TX_OPTIONS);
}

// ---------------------------------------------------------------- references for list and project files

/** Units and people by code, as the list and project files refer to them. */
export async function loadRosterRefs(db: PrismaClient | Tx): Promise<RosterRefs & { unitIds: Map<string, number>; personIds: Map<string, number> }> {
  const [units, people] = await Promise.all([
    db.unit.findMany({ select: { id: true, code: true, name: true, kind: true, active: true } }),
    db.person.findMany({ select: { id: true, code: true, name: true, role: true, active: true, unit: { select: { code: true } } } }),
  ]);
  return {
    units: new Map(units.map((u) => [u.code, { id: u.id, name: u.name, kind: u.kind as UnitKind, active: u.active }])),
    people: new Map(
      people.map((p) => [p.code, { id: p.id, name: p.name, unitCode: p.unit.code, role: p.role as Role, active: p.active }]),
    ),
    unitIds: new Map(units.map((u) => [u.code, u.id])),
    personIds: new Map(people.map((p) => [p.code, p.id])),
  };
}

// ---------------------------------------------------------------- responsibility list

export interface SetImportOptions {
  /** createdAt / updatedAt of the rows written (default: the current time). */
  now?: Date;
  onProgress?: (p: ImportProgress) => void;
}

export interface ListSummary {
  created: number;
  updated: number;
  /** Items of a unit-year in the file whose 序号 is no longer in it. */
  deleted: number;
  unchanged: number;
}

/**
 * Import responsibility-list items (五(二)). Upsert by 单位+年度+序号; for every unit-year in the file the file is
 * the whole list: items of that unit-year whose 序号 is not in the file are deleted.
 * Throws ImportRejectedError (nothing written) when a row refers to an unknown or inactive unit or person.
 */
export async function importList(prisma: PrismaClient, list: ParsedList, opts: SetImportOptions = {}): Promise<ListSummary> {
  const now = opts.now ?? new Date();
  const progress = opts.onProgress ?? (() => {});
  return prisma.$transaction(async (tx) => {
    await lock(tx);
    const refs = await loadRosterRefs(tx);
    const problems = checkListReferences(list, refs);
    if (problems.length > 0) throw new ImportRejectedError(sortProblems(problems));

    const rows = list.items.map((it) => ({
      unitId: refs.unitIds.get(it.unitCode)!,
      year: it.year,
      seq: it.seq,
      content: it.content,
      responsiblePersonId: it.responsiblePersonCode !== null ? refs.personIds.get(it.responsiblePersonCode)! : null,
      responsibleDept: it.responsibleDept,
      deadline: deadlineInstant(it.deadline),
    }));
    const unitYears = [...new Map(rows.map((r) => [`${r.unitId}:${r.year}`, { unitId: r.unitId, year: r.year }])).values()];
    const existing = unitYears.length
      ? await tx.listItem.findMany({
          where: { OR: unitYears },
          select: { id: true, unitId: true, year: true, seq: true, content: true, responsiblePersonId: true, responsibleDept: true, deadline: true },
        })
      : [];
    const key = (r: { unitId: number; year: number; seq: number }) => `${r.unitId}:${r.year}:${r.seq}`;
    const old = new Map(existing.map((e) => [key(e), e]));
    const inFile = new Set(rows.map(key));
    const updates: unknown[][] = [];
    let unchanged = 0;
    for (const r of rows) {
      const o = old.get(key(r));
      if (!o) continue;
      if (
        o.content === r.content &&
        o.responsiblePersonId === r.responsiblePersonId &&
        o.responsibleDept === r.responsibleDept &&
        o.deadline.getTime() === r.deadline.getTime()
      ) {
        unchanged++;
        continue;
      }
      updates.push([o.id, r.content, r.responsiblePersonId, r.responsibleDept, r.deadline, now]);
    }
    await bulkUpdate(
      tx,
      'ListItem',
      [
        { name: 'content', type: 'text' },
        { name: 'responsiblePersonId', type: 'int' },
        { name: 'responsibleDept', type: 'text' },
        { name: 'deadline', type: 'timestamp' },
        { name: 'updatedAt', type: 'timestamp' },
      ],
      updates,
    );
    const removed = existing.filter((e) => !inFile.has(key(e))).map((e) => e.id);
    if (removed.length) await tx.$executeRawUnsafe(`DELETE FROM "ListItem" WHERE "id" = ANY($1::int[])`, removed);
    const creates = rows.filter((r) => !old.has(key(r)));
    await inChunks(creates, CREATE_CHUNK, async (chunk) => {
      await tx.listItem.createMany({ data: chunk.map((r) => ({ ...r, createdAt: now, updatedAt: now })) });
    });
    progress({ step: 'listItems', done: rows.length, total: rows.length });
    progress({ step: 'done', done: 1, total: 1 });
    return { created: creates.length, updated: updates.length, deleted: removed.length, unchanged };
  }, TX_OPTIONS);
}

// ---------------------------------------------------------------- projects

export interface ProjectsSummary {
  projects: { created: number; updated: number; unchanged: number };
  milestones: { created: number; updated: number; deleted: number; unchanged: number };
}

/**
 * Import Party-building projects and their milestones (四(二)3, 四(四)3). Projects upsert by 单位+年度+项目编号;
 * a project's milestones upsert by 节点序号, and the file is the project's whole timetable: milestones of an
 * imported project that are not in the file are deleted. Projects not in the file are left alone.
 */
export async function importProjects(prisma: PrismaClient, parsed: ParsedProjects, opts: SetImportOptions = {}): Promise<ProjectsSummary> {
  const now = opts.now ?? new Date();
  const progress = opts.onProgress ?? (() => {});
  return prisma.$transaction(async (tx) => {
    await lock(tx);
    const refs = await loadRosterRefs(tx);
    const problems = checkProjectReferences(parsed, refs);
    if (problems.length > 0) throw new ImportRejectedError(sortProblems(problems));

    const rows = parsed.projects.map((p) => ({
      key: projectKey(p.unitCode, p.year, p.code),
      unitId: refs.unitIds.get(p.unitCode)!,
      year: p.year,
      code: p.code,
      title: p.title,
      kind: p.kind as ProjectKind,
      ownerPersonId: refs.personIds.get(p.ownerCode)!,
    }));
    const idKey = (unitId: number, year: number, code: string) => `${unitId}:${year}:${code}`;
    const unitYears = [...new Map(rows.map((r) => [`${r.unitId}:${r.year}`, { unitId: r.unitId, year: r.year }])).values()];
    const existing = unitYears.length
      ? await tx.project.findMany({
          where: { OR: unitYears },
          select: { id: true, unitId: true, year: true, code: true, title: true, kind: true, ownerPersonId: true },
        })
      : [];
    const old = new Map(existing.map((e) => [idKey(e.unitId, e.year, e.code), e]));
    const projectId = new Map<string, number>(); // file key → id
    const updates: unknown[][] = [];
    let unchanged = 0;
    for (const r of rows) {
      const o = old.get(idKey(r.unitId, r.year, r.code));
      if (!o) continue;
      projectId.set(r.key, o.id);
      if (o.title === r.title && o.kind === r.kind && o.ownerPersonId === r.ownerPersonId) unchanged++;
      else updates.push([o.id, r.title, r.kind, r.ownerPersonId, now]);
    }
    await bulkUpdate(
      tx,
      'Project',
      [
        { name: 'title', type: 'text' },
        { name: 'kind', type: { enum: 'ProjectKind' } },
        { name: 'ownerPersonId', type: 'int' },
        { name: 'updatedAt', type: 'timestamp' },
      ],
      updates,
    );
    const creates = rows.filter((r) => !old.has(idKey(r.unitId, r.year, r.code)));
    await inChunks(creates, CREATE_CHUNK, async (chunk) => {
      const made = await tx.project.createManyAndReturn({
        data: chunk.map(({ key: _k, ...r }) => ({ ...r, createdAt: now, updatedAt: now })),
        select: { id: true, unitId: true, year: true, code: true },
      });
      const byId = new Map(made.map((m) => [idKey(m.unitId, m.year, m.code), m.id]));
      for (const r of chunk) projectId.set(r.key, byId.get(idKey(r.unitId, r.year, r.code))!);
    });
    progress({ step: 'projects', done: rows.length, total: rows.length });

    // Milestones of the projects in the file.
    const ms = parsed.milestones.map((m) => ({
      projectId: projectId.get(projectKey(m.unitCode, m.year, m.projectCode))!,
      seq: m.seq,
      title: m.title,
      deadline: deadlineInstant(m.deadline),
    }));
    const ids = [...new Set(projectId.values())];
    const oldMs = ids.length
      ? await tx.milestone.findMany({ where: { projectId: { in: ids } }, select: { id: true, projectId: true, seq: true, title: true, deadline: true } })
      : [];
    const mKey = (m: { projectId: number; seq: number }) => `${m.projectId}:${m.seq}`;
    const oldM = new Map(oldMs.map((m) => [mKey(m), m]));
    const inFile = new Set(ms.map(mKey));
    const mUpdates: unknown[][] = [];
    let mUnchanged = 0;
    for (const m of ms) {
      const o = oldM.get(mKey(m));
      if (!o) continue;
      if (o.title === m.title && o.deadline.getTime() === m.deadline.getTime()) mUnchanged++;
      else mUpdates.push([o.id, m.title, m.deadline]);
    }
    await bulkUpdate(
      tx,
      'Milestone',
      [
        { name: 'title', type: 'text' },
        { name: 'deadline', type: 'timestamp' },
      ],
      mUpdates,
    );
    const removed = oldMs.filter((m) => !inFile.has(mKey(m))).map((m) => m.id);
    if (removed.length) await tx.$executeRawUnsafe(`DELETE FROM "Milestone" WHERE "id" = ANY($1::int[])`, removed);
    const mCreates = ms.filter((m) => !oldM.has(mKey(m)));
    await inChunks(mCreates, CREATE_CHUNK, async (chunk) => {
      await tx.milestone.createMany({ data: chunk });
    });
    progress({ step: 'milestones', done: ms.length, total: ms.length });
    progress({ step: 'done', done: 1, total: 1 });
    return {
      projects: { created: creates.length, updated: updates.length, unchanged },
      milestones: { created: mCreates.length, updated: mUpdates.length, deleted: removed.length, unchanged: mUnchanged },
    };
  }, TX_OPTIONS);
}

// ---------------------------------------------------------------- from a file

/** Read, parse, check and import a roster file (.xlsx, or a folder of CSV files). */
export async function importRosterFile(prisma: PrismaClient, filePath: string, opts: RosterImportOptions): Promise<RosterSummary> {
  const parsed = parseRoster(await readBook(filePath));
  if (!parsed.ok) throw new ImportRejectedError(parsed.problems);
  return importRoster(prisma, parsed.value, opts);
}

/** Read, parse, check and import a responsibility-list file (.xlsx or .csv). */
export async function importListFile(prisma: PrismaClient, filePath: string, opts: SetImportOptions = {}): Promise<ListSummary> {
  const parsed = parseList(await readBook(filePath));
  if (!parsed.ok) throw new ImportRejectedError(parsed.problems);
  return importList(prisma, parsed.value, opts);
}

/** Read, parse, check and import a projects file (.xlsx, or a folder with 项目.csv and 节点.csv). */
export async function importProjectsFile(prisma: PrismaClient, filePath: string, opts: SetImportOptions = {}): Promise<ProjectsSummary> {
  const parsed = parseProjects(await readBook(filePath));
  if (!parsed.ok) throw new ImportRejectedError(parsed.problems);
  return importProjects(prisma, parsed.value, opts);
}
