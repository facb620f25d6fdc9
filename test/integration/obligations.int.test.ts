import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importListFile, importProjectsFile, importRosterFile } from '../../src/import/roster-import.js';
import { generateObligations } from '../../src/obligations/generate.js';
import { loadDomainConfig } from '../../src/ops/domain-config.js';
import { projectPath } from '../../src/paths.js';
import { freshDatabase, type FreshDatabase } from '../helpers/db.js';

const TEMPLATES = projectPath('templates', 'import');
const BEFORE_YEAR = new Date('2025-12-15T09:00:00+08:00');

describe('obligations from the shipped import templates', () => {
  let db: FreshDatabase;
  const { catalog } = loadDomainConfig();

  beforeAll(async () => {
    db = await freshDatabase('obligations');
    await importRosterFile(db.prisma, path.join(TEMPLATES, 'roster-template.xlsx'), { now: BEFORE_YEAR });
    await importListFile(db.prisma, path.join(TEMPLATES, 'list-template.xlsx'), { now: BEFORE_YEAR });
    await importProjectsFile(db.prisma, path.join(TEMPLATES, 'projects-template.xlsx'), { now: BEFORE_YEAR });
  });
  afterAll(async () => db?.drop());

  const countBy = async (where: object = {}) => {
    const rows = await db.prisma.obligation.groupBy({ by: ['ruleCode'], where: { status: 'OPEN', ...where }, _count: true });
    return Object.fromEntries(rows.map((r) => [r.ruleCode, r._count]));
  };

  it('gives exactly what DOMAIN.md implies for the 2026 roster, lists and projects', async () => {
    const r = await generateObligations(db.prisma, { year: 2026, now: BEFORE_YEAR, catalog: catalog.current });
    // Four units (2 towns, 1 sub-district, 1 department), each: 1 secretary, 1 deputy, 2 members, 1 staff.
    // The organisation department's own unit owes nothing.
    expect(await countBy()).toEqual({
      PC_MEETING_STUDY: 4, // one per secretary for the year, needing 2 reports (四(二)1)
      LIAISON_VISIT_SECRETARY: 4 * 12, // monthly (四(二)1)
      LIAISON_VISIT_LEADER: 4 * 3 * 4, // deputy + 2 members, quarterly (四(四)2)
      QUARTERLY_WORK_MEETING: 4 * 4, // per unit and quarter (四(四)1)
      DEBRIEF: 4, // per secretary (四(二)4)
      YEARLY_PLAN: 4, // per unit (四(一)1)
      LIST_ITEM: 8, // the rows of list-template
      PROJECT_MILESTONE: 8, // the milestones of projects-template
      WEAK_ORG_RECTIFICATION: 3 * 12, // the 3 weak orgs of roster-template, a progress report a month while marked (四(一)3)
    });
    expect(r).toMatchObject({ planned: 176, created: 176, cancelled: 0 });

    const meeting = await db.prisma.obligation.findFirstOrThrow({ where: { ruleCode: 'PC_MEETING_STUDY' } });
    expect(meeting.requiredCount).toBe(2);
    expect(meeting.dueAt.toISOString()).toBe('2026-12-31T15:59:59.999Z'); // the year's last instant in Beijing
    const nov = await db.prisma.obligation.findFirstOrThrow({ where: { ruleCode: 'LIAISON_VISIT_SECRETARY', periodKey: '2026-11' }, include: { person: true } });
    expect(nov.person?.role).toBe('SECRETARY');
    expect(nov.dueAt.toISOString()).toBe('2026-11-30T15:59:59.999Z');
    const q = await db.prisma.obligation.findMany({ where: { ruleCode: 'QUARTERLY_WORK_MEETING' }, select: { ownerKey: true, personId: true } });
    expect(q.every((o) => o.ownerKey.startsWith('u') && o.personId !== null)).toBe(true);
    // Each secretary owes exactly 12 monthly visits, one per month.
    const perPerson = await db.prisma.obligation.groupBy({ by: ['personId'], where: { ruleCode: 'LIAISON_VISIT_SECRETARY' }, _count: true });
    expect(perPerson.map((p) => p._count)).toEqual([12, 12, 12, 12]);
  });

  it('creates nothing the second time', async () => {
    const before = await db.prisma.obligation.count();
    const r = await generateObligations(db.prisma, { year: 2026, now: BEFORE_YEAR, catalog: catalog.current });
    expect(r.created).toBe(0);
    expect(await db.prisma.obligation.count()).toBe(before);
  });

  it('moves future duties, not past ones, when a leader changes role mid-year, and cancels those of a leaver', async () => {
    // Re-import on 15 July: 罗建新 (P0006, member) becomes party-affairs staff; 冯淑仪 (P0007) leaves.
    const dir = mkdtempSync(path.join(tmpdir(), 'roster-'));
    cpSync(path.join(TEMPLATES, 'roster-csv'), dir, { recursive: true });
    const file = path.join(dir, '人员.csv');
    const lines = readFileSync(file, 'utf8').split('\n');
    const edited = lines
      .filter((l) => !l.startsWith('P0007,'))
      .map((l) => (l.startsWith('P0006,') ? l.replace(',班子成员,', ',党建工作人员,') : l));
    writeFileSync(file, edited.join('\n'));
    await db.prisma.liaisonPoint.deleteMany({}); // their liaison points go with the change
    const july = new Date('2026-07-15T10:00:00+08:00');
    const liaison = readFileSync(path.join(dir, '联系点.csv'), 'utf8').split('\n');
    const p6 = await db.prisma.person.findUniqueOrThrow({ where: { code: 'P0006' } });
    const p7 = await db.prisma.person.findUniqueOrThrow({ where: { code: 'P0007' } });
    writeFileSync(path.join(dir, '联系点.csv'), liaison.filter((l) => !l.startsWith('P0006,') && !l.startsWith('P0007,')).join('\n'));
    await importRosterFile(db.prisma, dir, { now: july });

    const r = await generateObligations(db.prisma, { year: 2026, now: july, catalog: catalog.current });
    expect(r.cancelled).toBe(4); // Q3 and Q4 visits of each of the two
    for (const id of [p6.id, p7.id]) {
      const visits = await db.prisma.obligation.findMany({ where: { personId: id, ruleCode: 'LIAISON_VISIT_LEADER' }, orderBy: { periodKey: 'asc' } });
      expect(visits.map((v) => `${v.periodKey}:${v.status}`)).toEqual(['2026-Q1:OPEN', '2026-Q2:OPEN', '2026-Q3:CANCELLED', '2026-Q4:CANCELLED']);
    }
  });
});
