import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeAssessmentWorkbook } from '../../src/export/assessment.js';
import { planFindingObligation } from '../../src/domain/oversight/inspection.js';
import { recordReport } from '../../src/reports/record.js';
import { freshDatabase, type FreshDatabase } from '../helpers/db.js';
import { DEMO, seedDistrict } from '../helpers/district.js';

describe('assessment export (五(四))', () => {
  let db: FreshDatabase;
  let wb: ExcelJS.Workbook;
  const now = new Date('2026-11-25T10:00:00+08:00');
  const from = new Date('2026-01-01T00:00:00+08:00');
  const to = new Date('2027-01-01T00:00:00+08:00');

  beforeAll(async () => {
    db = await freshDatabase('export');
    const p = db.prisma;
    await seedDistrict(p, 2026, new Date('2026-01-05T09:00:00+08:00'));
    const sec = await p.person.findUniqueOrThrow({ where: { code: DEMO.secretary.code } });
    const other = await p.person.findUniqueOrThrow({ where: { code: DEMO.otherSecretary.code } });
    const ob = (where: object) => p.obligation.findFirstOrThrow({ where, orderBy: { id: 'asc' } });
    const nov = await ob({ personId: sec.id, ruleCode: 'LIAISON_VISIT_SECRETARY', periodKey: '2026-11' });
    const oct = await ob({ personId: sec.id, ruleCode: 'LIAISON_VISIT_SECRETARY', periodKey: '2026-10' });
    const meeting = await ob({ unitId: other.unitId, ruleCode: 'QUARTERLY_WORK_MEETING', periodKey: '2026-Q4' });
    await recordReport(p, { obligationId: nov.id, personId: sec.id, sourceKey: 't1', text: '到东风村检查指导', fields: { place: '东风村' }, evidence: [], now: new Date('2026-11-10T10:00:00+08:00') });
    await recordReport(p, { obligationId: oct.id, personId: sec.id, sourceKey: 't2', text: '10月联系点', fields: { place: '东风村' }, evidence: [], now });
    await recordReport(p, { obligationId: meeting.id, personId: other.id, sourceKey: 't3', text: '第四季度党建工作会议', fields: { topic: '四季度工作' }, evidence: [], now: new Date('2026-11-20T10:00:00+08:00') });

    // An inspection in October with two findings: the first reported late and accepted, the second still open past its deadline.
    const od = await p.person.findUniqueOrThrow({ where: { code: DEMO.odStaff.code } });
    const insp = await p.inspection.create({
      data: { unitId: sec.unitId, inspectorId: od.id, method: 'UNANNOUNCED', inspectedOn: new Date('2026-10-12T00:00:00+08:00'), deadline: new Date('2026-11-06T00:00:00+08:00'), sourceKey: 'e1' },
    });
    for (const [seq, text] of [[1, '“三会一课”记录不全'], [2, '党建经费未单列']] as const) {
      const f = await p.inspectionFinding.create({ data: { inspectionId: insp.id, seq, text } });
      const o = await p.obligation.create({ data: planFindingObligation({ findingId: f.id, seq, text, unitId: sec.unitId, accountablePersonId: sec.id, method: 'UNANNOUNCED', inspectedOn: '2026-10-12', deadline: '2026-11-06' }) });
      await p.inspectionFinding.update({ where: { id: f.id }, data: { obligationId: o.id } });
      if (seq === 1) {
        await recordReport(p, { obligationId: o.id, personId: sec.id, sourceKey: 't4', text: '已补齐', fields: {}, evidence: [], now: new Date('2026-11-09T10:00:00+08:00'), closedBy: 'od' });
        await p.obligationReview.create({ data: { obligationId: o.id, reviewerId: od.id, decision: 'ACCEPT', note: '记录齐全', sourceKey: 'r1', at: new Date('2026-11-10T10:00:00+08:00') } });
        await p.obligation.update({ where: { id: o.id }, data: { status: 'DONE', completedAt: new Date('2026-11-10T10:00:00+08:00') } });
      }
    }

    const file = path.join(mkdtempSync(path.join(tmpdir(), 'export-')), 'assessment.xlsx');
    await writeAssessmentWorkbook(p, file, { year: 2026, now });
    wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
  }, 120_000);
  afterAll(async () => db?.drop());

  /** The figures of some obligations, computed here from the rows: due, done, on time, late, overdue. */
  async function expected(where: object) {
    const obs = await db.prisma.obligation.findMany({ where: { dueAt: { gte: from, lt: to }, status: { not: 'CANCELLED' }, ...where } });
    const counted = obs.filter((o) => o.status === 'DONE' || o.dueAt <= now);
    const done = counted.filter((o) => o.status === 'DONE');
    const onTime = done.filter((o) => !o.late).length;
    const overdue = counted.filter((o) => o.status === 'OPEN' && o.dueAt < now).length;
    const pct = (a: number, b: number) => (b ? Math.round((a / b) * 1000) / 10 : null);
    return [counted.length, done.length, onTime, done.length - onTime, overdue, pct(done.length, counted.length), pct(onTime, done.length)];
  }

  const rowsOf = (name: string) => {
    const ws = wb.getWorksheet(name)!;
    const out: unknown[][] = [];
    ws.eachRow((row, n) => {
      if (n > 1) out.push((row.values as unknown[]).slice(1));
    });
    return out;
  };
  /** Cells as values, an empty cell (a rate of nothing) as null, padded to the 7 figures. */
  const norm = (cells: unknown[]) => Array.from({ length: Math.max(cells.length, cells[0] === '合计' ? 8 : 7) }, (_, i) => cells[i] ?? null);

  it('has the seven sheets with Chinese headers and a frozen header row', () => {
    expect(wb.worksheets.map((w) => w.name)).toEqual(['按单位', '按责任人', '按责任类型', '报告明细', '述职材料', '督查整改', '软弱涣散整顿']);
    const ws = wb.getWorksheet('按单位')!;
    expect((ws.getRow(1).values as unknown[]).slice(1)).toEqual(['单位', '应完成', '已完成', '按时完成', '逾期完成', '逾期未完成', '完成率(%)', '按时率(%)']);
    for (const w of wb.worksheets) expect(w.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
  });

  it('按单位: every active unit with the figures computed from the obligations, and the total', async () => {
    const units = await db.prisma.unit.findMany({ where: { active: true, kind: { not: 'OD' } }, orderBy: { id: 'asc' } });
    const rows = rowsOf('按单位');
    expect(rows).toHaveLength(units.length + 1);
    for (const [i, u] of units.entries()) {
      expect(rows[i]![0]).toBe(u.name);
      expect(norm(rows[i]!.slice(1))).toEqual(await expected({ unitId: u.id }));
    }
    expect(norm(rows.at(-1)!)).toEqual(['合计', ...(await expected({}))]);
    // the records show: the other secretary's unit held its Q4 meeting
    const other = await db.prisma.person.findUniqueOrThrow({ where: { code: DEMO.otherSecretary.code }, include: { unit: true } });
    expect(Number(rows.find((r) => r[0] === other.unit.name)![2])).toBeGreaterThan(0);
  });

  it('按责任人 and 按责任类型 match the obligations', async () => {
    const sec = await db.prisma.person.findUniqueOrThrow({ where: { code: DEMO.secretary.code }, include: { unit: true } });
    const row = rowsOf('按责任人').find((r) => r[0] === sec.name && r[1] === sec.unit.name)!;
    expect(row[2]).toBe('书记（第一责任人）');
    expect(norm(row.slice(3))).toEqual(await expected({ personId: sec.id }));
    const liaison = rowsOf('按责任类型').find((r) => r[0] === '到基层联系点检查指导')!;
    expect(String(liaison[1])).toContain('四(二)1');
    expect(norm(liaison.slice(2))).toEqual(await expected({ ruleCode: 'LIAISON_VISIT_SECRETARY' }));
  });

  it('报告明细 lists each report with its fields; 述职材料 sums up each secretary', async () => {
    const reports = rowsOf('报告明细');
    expect(reports).toHaveLength(4);
    const late = reports.find((r) => r[4] === '2026-10')!;
    expect(late.slice(0, 3)).toEqual([(await db.prisma.person.findUniqueOrThrow({ where: { code: DEMO.secretary.code }, include: { unit: true } })).unit.name, DEMO.secretary.name, '到基层联系点检查指导']);
    expect(late[5]).toMatch(/^2026-\d\d-\d\d$/); // the day it was stored
    expect(late[6]).toBe('是');
    expect(String(late[7])).toContain('东风村');
    expect(reports.find((r) => r[4] === '2026-11')![6]).toBe('否');

    const secretaries = await db.prisma.person.findMany({ where: { role: 'SECRETARY', active: true } });
    const debrief = rowsOf('述职材料');
    expect(debrief).toHaveLength(secretaries.length);
    const sec = secretaries.find((s) => s.code === DEMO.secretary.code)!;
    const row = debrief.find((r) => r[1] === sec.name)!;
    expect(norm(row.slice(2, 9))).toEqual(await expected({ personId: sec.id }));
    expect(row[9]).toBe(2); // two liaison visits reported
    expect(row[10]).toBe(0);
    expect(String(row.at(-1))).toContain('到基层联系点检查指导 2 次');
  });

  it('督查整改 lists each finding with its state, lateness and the OD\'s decisions', async () => {
    const unit = (await db.prisma.person.findUniqueOrThrow({ where: { code: DEMO.secretary.code }, include: { unit: true } })).unit.name;
    const insp = await db.prisma.inspection.findFirstOrThrow();
    expect(rowsOf('督查整改')).toEqual([
      [unit, '2026-10-12', '暗访督查', `${insp.id}-1`, '“三会一课”记录不全', '2026-11-06', '已销号', '是', `2026-11-10 ${DEMO.odStaff.name}通过：记录齐全`],
      [unit, '2026-10-12', '暗访督查', `${insp.id}-2`, '党建经费未单列', '2026-11-06', '整改中', '是'],
    ]);
  });

  it('软弱涣散整顿 lists each weak org\'s record with its progress reports made, owed so far and overdue', async () => {
    const records = await db.prisma.weakOrgRectification.findMany({ include: { org: { include: { unit: true } } }, orderBy: { orgId: 'asc' } });
    expect(records.length).toBe(3);
    const rows = rowsOf('软弱涣散整顿');
    expect(rows.map((r) => r[0]).sort()).toEqual(records.map((r) => r.org.name).sort());
    for (const r of records) {
      // Marked at the import (2026-01-05): January to October are due by 25 November, none reported.
      expect(rows.find((x) => x[0] === r.org.name)).toEqual([r.org.name, r.org.unit.name, '2026-01-05', '整顿中', '0/10', 10]);
    }
  });
});
