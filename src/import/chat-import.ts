// Imports by sending the file to the bot: read and check it exactly like the CLI (all or nothing,
// every problem by sheet, row and column), preview the change against the database, and import it
// once on 确认, then plan the year's duties. The CLI's code does the writing.
import { audit } from '../access/audit.js';
import { claimChange, contentHash, createPendingChange } from '../changes/pending.js';
import type { Deps } from '../deps.js';
import { beijingDay } from '../domain/calendar/working-days.js';
import { checkListReferences, parseList } from '../domain/roster/list.js';
import { checkProjectReferences, parseProjects } from '../domain/roster/projects.js';
import { parseRoster } from '../domain/roster/roster.js';
import { diffIsEmpty, rosterDiff, type RosterDiff } from '../domain/roster/diff.js';
import { AppError } from '../errors.js';
import { generateObligations, type GenerateResult } from '../obligations/generate.js';
import { larkIdResolver } from './lark-resolve.js';
import { importList, importProjects, importRoster, ImportRejectedError, loadRosterRefs } from './roster-import.js';
import { applySuccession, notifySuccession, successionPlan } from './succession.js';
import type { DutyStep } from '../domain/roster/succession.js';
import type { CurrentRoster } from '../domain/roster/diff.js';
import { detectImportKind, readUpload, UNKNOWN_BOOK, type ImportKind } from './upload.js';

export interface ImportPreview {
  changeId: number;
  hash: string;
  kind: ImportKind;
  fileName: string;
  year: number;
  roster?: RosterDiff;
  /** What happens to the open duties of people who leave or change role or unit. */
  succession?: DutyStep[];
  /** List / projects: rows in the file. */
  rows?: Record<string, number>;
}

/** Reads and checks the file; throws ImportRejectedError listing every problem, or bad_input. */
async function parseUpload(deps: Pick<Deps, 'db'>, fileName: string, bytes: Buffer) {
  const book = await readUpload(fileName, bytes);
  const kind = detectImportKind(book);
  if (!kind) throw new AppError('bad_input', UNKNOWN_BOOK);
  if (kind === 'roster') {
    const p = parseRoster(book);
    if (!p.ok) throw new ImportRejectedError(p.problems);
    return { kind, roster: p.value } as const;
  }
  const refs = await loadRosterRefs(deps.db);
  if (kind === 'list') {
    const p = parseList(book);
    if (!p.ok) throw new ImportRejectedError(p.problems);
    const problems = checkListReferences(p.value, refs);
    if (problems.length) throw new ImportRejectedError(problems);
    return { kind, list: p.value } as const;
  }
  const p = parseProjects(book);
  if (!p.ok) throw new ImportRejectedError(p.problems);
  const problems = checkProjectReferences(p.value, refs);
  if (problems.length) throw new ImportRejectedError(problems);
  return { kind, projects: p.value } as const;
}

export async function previewImport(deps: Deps, actor: string, file: { name: string; bytes: Buffer }): Promise<ImportPreview> {
  const parsed = await parseUpload(deps, file.name, file.bytes);
  const year = Number(beijingDay(deps.clock()).slice(0, 4));
  const extra: Partial<ImportPreview> = {};
  if (parsed.kind === 'roster') {
    const current = await currentRoster(deps.db);
    const diff = rosterDiff(parsed.roster, current);
    if (diffIsEmpty(diff)) throw new AppError('bad_input', `花名册"${file.name}"与系统中的完全一致，没有需要导入的变化。`);
    extra.roster = diff;
    extra.succession = await successionPlan(deps.db, deps.catalog.current, parsed.roster, current);
  } else if (parsed.kind === 'list') {
    extra.rows = { items: parsed.list.items.length, units: new Set(parsed.list.items.map((r) => r.unitCode)).size };
  } else {
    extra.rows = { projects: parsed.projects.projects.length, milestones: parsed.projects.milestones.length };
  }
  const { id, hash } = await createPendingChange(deps.db, { kind: parsed.kind, hash: contentHash(file.bytes), payload: { fileName: file.name }, createdBy: actor, file: file.bytes, fileName: file.name });
  await audit(deps.db, { actorId: actor, action: 'import.preview', result: 'ok', detail: { changeId: id, kind: parsed.kind, fileName: file.name } });
  return { changeId: id, hash, kind: parsed.kind, fileName: file.name, year, ...extra };
}

async function currentRoster(db: Deps['db']): Promise<CurrentRoster> {
  const [units, people, orgs, liaisonPoints] = await Promise.all([
    db.unit.findMany({ select: { id: true, code: true, name: true, kind: true, active: true } }),
    db.person.findMany({ select: { id: true, code: true, name: true, unitId: true, role: true, title: true, larkOpenId: true, mobile: true, email: true, active: true } }),
    db.grassrootsOrg.findMany({ select: { id: true, code: true, name: true, unitId: true, kind: true, weakLax: true, active: true } }),
    db.liaisonPoint.findMany({ select: { personId: true, orgId: true, active: true } }),
  ]);
  return { units, people, orgs, liaisonPoints };
}

export type ImportOutcome =
  | { outcome: 'applied'; result: ImportResult }
  | { outcome: 'already'; status: string; result: unknown }
  | { outcome: 'mismatch' }
  | { outcome: 'rejected'; message: string };

export interface ImportResult {
  kind: ImportKind;
  summary: Record<string, unknown>;
  year: number;
  obligations: GenerateResult;
  /** Open duties of leavers moved to successors, or cancelled. */
  succession?: { moved: number; cancelled: number };
}

/** 确认导入: imports the previewed file once, then plans the year's duties for the roster as it now is. */
export async function confirmImport(deps: Deps, ref: { id: number; hash: string; kind: ImportKind; actor: string }): Promise<ImportOutcome> {
  const now = deps.clock();
  const claim = await claimChange(deps.db, { ...ref, at: now });
  if (claim.outcome !== 'claimed') return claim;
  const bytes = Buffer.from(claim.change.file ?? new Uint8Array());
  const fileName = claim.change.fileName ?? 'upload';
  try {
    const parsed = await parseUpload(deps, fileName, bytes);
    let summary: Record<string, unknown>;
    let steps: DutyStep[] = [];
    let succession: ImportResult['succession'];
    if (parsed.kind === 'roster') {
      steps = await successionPlan(deps.db, deps.catalog.current, parsed.roster, await currentRoster(deps.db));
      summary = { ...(await importRoster(deps.db, parsed.roster, { now, resolveIds: larkIdResolver(deps.lark) })) };
      succession = await applySuccession(deps.db, steps, ref.id, now);
    }
    else if (parsed.kind === 'list') summary = { ...(await importList(deps.db, parsed.list, { now })) };
    else summary = { ...(await importProjects(deps.db, parsed.projects, { now })) };
    // This year's duties, and those of any other year the file is about.
    const year = Number(beijingDay(now).slice(0, 4));
    const fileYears = parsed.kind === 'list' ? parsed.list.items.map((i) => i.year) : parsed.kind === 'projects' ? parsed.projects.projects.map((p) => p.year) : [];
    const years = [...new Set([year, ...fileYears])].filter((y) => y >= year).sort();
    const obligations: GenerateResult = { planned: 0, created: 0, cancelled: 0, reopened: 0 };
    for (const y of years) {
      const g = await generateObligations(deps.db, { year: y, now, catalog: deps.catalog.current });
      for (const k of Object.keys(obligations) as (keyof GenerateResult)[]) obligations[k] += g[k];
    }
    const result: ImportResult = { kind: parsed.kind, summary, year, obligations, ...(succession ? { succession } : {}) };
    await claim.finish(result as unknown as object);
    await audit(deps.db, { actorId: ref.actor, action: 'import.confirm', result: 'ok', detail: { changeId: ref.id, kind: parsed.kind, summary, obligations, succession } });
    await notifySuccession(deps, steps, ref.id);
    return { outcome: 'applied', result };
  } catch (err) {
    if (err instanceof AppError && err.userFacing) {
      // Something changed since the preview (e.g. a person not found in Lark): nothing was written.
      await claim.reopen('CANCELLED', { error: err.message });
      await audit(deps.db, { actorId: ref.actor, action: 'import.confirm', result: 'error', detail: { changeId: ref.id, code: err.code } });
      return { outcome: 'rejected', message: err.message };
    }
    await claim.reopen('PENDING');
    throw err;
  }
}
