// The year's assessment export (五(四)): one workbook of the figures /统计 shows, by unit, by leader and by
// duty type, every report, and per secretary the material for the debrief (四(二)4).
import ExcelJS from 'exceljs';
import type { Db } from '../db/client.js';
import { findRule, type Catalog } from '../domain/duties/catalog.js';
import { percent, summarise, summariseBy, type StatRow, type Summary } from '../domain/stats/aggregate.js';
import type { Role } from '../generated/prisma/enums.js';
import { loadDomainConfig } from '../ops/domain-config.js';
import { activeUnits, rowsDueIn } from '../stats/queries.js';
import { dutyName, dutyOrder } from '../stats/view.js';

export interface AssessmentOptions {
  year: number;
  /** Figures are as of this instant (what is due by now counts). */
  now: Date;
  /** The duty catalog (default: config/duty-catalog.json). */
  catalog?: Catalog;
}

export const ROLE_ZH: Readonly<Record<Role, string>> = {
  SECRETARY: '书记（第一责任人）',
  DEPUTY: '分管领导（直接责任人）',
  MEMBER: '班子成员（具体责任人）',
  STAFF: '党建工作人员',
  OD_STAFF: '区委组织部工作人员',
  DISTRICT_LEADER: '区领导',
};

/** The figure columns shared by the first three sheets. */
const FIGURE_HEADERS = ['应完成', '已完成', '按时完成', '逾期完成', '逾期未完成', '完成率(%)', '按时率(%)'];
const FIGURE_WIDTHS = [9, 9, 10, 10, 11, 11, 11];

/** The figure cells of a summary: due, done, on time, late (done after due), overdue (open past due), rates in %. */
export function figureCells(s: Summary): Array<number | null> {
  return [s.total, s.done, s.onTime, s.done - s.onTime, s.overdue, percent(s.completionRate), percent(s.onTimeRate)];
}

/** Year bounds in Beijing time. */
export function yearBounds(year: number): { from: Date; to: Date } {
  return { from: new Date(`${year}-01-01T00:00:00+08:00`), to: new Date(`${year + 1}-01-01T00:00:00+08:00`) };
}

function addSheet(wb: ExcelJS.Workbook, name: string, headers: string[], widths: number[]): ExcelJS.Worksheet {
  const ws = wb.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = headers.map((header, i) => ({ header, width: widths[i] ?? 12 }));
  const head = ws.getRow(1);
  head.font = { bold: true };
  head.alignment = { vertical: 'middle', horizontal: 'center', wrapText: true };
  return ws;
}

const beijingDate = (d: Date): string => new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 10);

function valueText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) return v.map(valueText).join('、');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** A report's parsed fields as one line, labelled as the duty's evidence fields are. */
export function fieldsText(catalog: Catalog, ruleCode: string, fields: unknown): string {
  if (!fields || typeof fields !== 'object' || Array.isArray(fields)) return '';
  const labels = new Map((findRule(catalog, ruleCode)?.evidence ?? []).map((f) => [f.key, f.label]));
  return Object.entries(fields as Record<string, unknown>)
    .filter(([, v]) => v !== null && v !== undefined && v !== '')
    .map(([k, v]) => `${labels.get(k) ?? k}：${valueText(v)}`)
    .join('；');
}

export async function buildAssessmentWorkbook(db: Db, opts: AssessmentOptions): Promise<ExcelJS.Workbook> {
  const { year, now } = opts;
  const catalog = opts.catalog ?? loadDomainConfig().catalog.current;
  const { from, to } = yearBounds(year);
  const rows = await rowsDueIn(db, { from, to });
  const units = await activeUnits(db);

  const wb = new ExcelJS.Workbook();
  wb.creator = 'dangjian-bot';
  wb.created = now;

  // 按单位
  const byUnit = summariseBy(rows, (r) => r.unitId, now);
  const wsUnit = addSheet(wb, '按单位', ['单位', ...FIGURE_HEADERS], [28, ...FIGURE_WIDTHS]);
  for (const u of units) wsUnit.addRow([u.name, ...figureCells(byUnit.get(u.id) ?? summarise([], now))]);
  wsUnit.addRow(['合计', ...figureCells(summarise(rows, now))]).font = { bold: true };

  // 按责任人
  const personRows = rows.filter((r): r is StatRow & { personId: number } => typeof r.personId === 'number');
  const byPerson = summariseBy<number>(personRows, (r) => r.personId as number, now);
  const people = await db.person.findMany({
    where: { id: { in: [...byPerson.keys()] } },
    select: { id: true, name: true, role: true, unit: { select: { name: true } } },
    orderBy: [{ unitId: 'asc' }, { role: 'asc' }, { id: 'asc' }],
  });
  const wsPerson = addSheet(wb, '按责任人', ['责任人', '单位', '角色', ...FIGURE_HEADERS], [12, 28, 22, ...FIGURE_WIDTHS]);
  for (const p of people) wsPerson.addRow([p.name, p.unit.name, ROLE_ZH[p.role], ...figureCells(byPerson.get(p.id)!)]);

  // 按责任类型
  const byDuty = [...summariseBy(rows, (r) => r.ruleCode, now)].sort((a, b) => dutyOrder(catalog, a[0]) - dutyOrder(catalog, b[0]));
  const wsDuty = addSheet(wb, '按责任类型', ['责任类型', '依据条款', ...FIGURE_HEADERS], [40, 50, ...FIGURE_WIDTHS]);
  for (const [code, s] of byDuty) {
    const rule = findRule(catalog, code);
    wsDuty.addRow([dutyName(catalog, code), rule ? `${rule.clause.ref} ${rule.clause.quote}` : '', ...figureCells(s)]);
  }

  // 报告明细
  const reports = await db.report.findMany({
    where: { withdrawnAt: null, obligation: { dueAt: { gte: from, lt: to } } },
    select: {
      createdAt: true,
      late: true,
      text: true,
      fields: true,
      person: { select: { name: true } },
      obligation: { select: { ruleCode: true, periodKey: true, title: true, unit: { select: { name: true } } } },
    },
    orderBy: [{ obligation: { unitId: 'asc' } }, { createdAt: 'asc' }, { id: 'asc' }],
  });
  const wsReports = addSheet(wb, '报告明细', ['单位', '汇报人', '责任类型', '事项', '期间', '提交日期', '是否逾期', '报告内容'], [28, 12, 30, 40, 10, 12, 10, 80]);
  for (const r of reports) {
    wsReports.addRow([
      r.obligation.unit.name,
      r.person.name,
      dutyName(catalog, r.obligation.ruleCode),
      r.obligation.title,
      r.obligation.periodKey,
      beijingDate(r.createdAt),
      r.late ? '是' : '否',
      fieldsText(catalog, r.obligation.ruleCode, r.fields) || r.text,
    ]);
  }

  // 述职材料
  const secretaries = await db.person.findMany({
    where: { role: 'SECRETARY', active: true },
    select: { id: true, name: true, unit: { select: { name: true } }, unitId: true },
    orderBy: [{ unitId: 'asc' }, { id: 'asc' }],
  });
  const secIds = secretaries.map((s) => s.id);
  // groupBy cannot group by a relation's field: count per duty separately.
  const countOf = async (ruleCode: string) =>
    new Map(
      (
        await db.report.groupBy({
          by: ['personId'],
          where: { personId: { in: secIds }, withdrawnAt: null, obligation: { ruleCode, dueAt: { gte: from, lt: to } } },
          _count: { _all: true },
        })
      ).map((c) => [c.personId, c._count._all]),
    );
  const [visits, meetings] = await Promise.all([countOf('LIAISON_VISIT_SECRETARY'), countOf('PC_MEETING_STUDY')]);
  const projects = await db.project.findMany({ where: { ownerPersonId: { in: secIds }, year }, select: { ownerPersonId: true, title: true }, orderBy: { id: 'asc' } });
  const projectsOf = new Map<number, string[]>();
  for (const p of projects) projectsOf.set(p.ownerPersonId, [...(projectsOf.get(p.ownerPersonId) ?? []), p.title]);

  const wsDebrief = addSheet(
    wb,
    '述职材料',
    ['单位', '书记', ...FIGURE_HEADERS, '到联系点检查指导(次)', '主持研究党建工作会议(次)', '书记项目', '项目节点(已完成/应完成/逾期)', '综述'],
    [28, 12, ...FIGURE_WIDTHS, 14, 14, 36, 16, 90],
  );
  for (const s of secretaries) {
    const own = personRows.filter((r) => r.personId === s.id);
    const sum = summarise(own, now);
    const ms = summarise(
      own.filter((r) => r.ruleCode === 'PROJECT_MILESTONE'),
      now,
    );
    const v = visits.get(s.id) ?? 0;
    const m = meetings.get(s.id) ?? 0;
    const proj = projectsOf.get(s.id) ?? [];
    const rate = (x: number | null) => (x === null ? '—' : `${percent(x)}%`);
    const summary =
      `${year}年度应完成党建责任 ${sum.total} 项，已完成 ${sum.done} 项（按时 ${sum.onTime} 项、逾期完成 ${sum.done - sum.onTime} 项），` +
      `逾期未完成 ${sum.overdue} 项，完成率 ${rate(sum.completionRate)}，按时率 ${rate(sum.onTimeRate)}；` +
      `到基层联系点检查指导 ${v} 次，主持党组（党委）会议研究基层党建工作 ${m} 次；` +
      (proj.length ? `书记项目「${proj.join('」「')}」节点完成 ${ms.done}/${ms.total}${ms.overdue ? `，逾期 ${ms.overdue} 个` : ''}。` : '无书记项目。');
    wsDebrief.addRow([s.unit.name, s.name, ...figureCells(sum), v, m, proj.join('、'), `${ms.done}/${ms.total}/${ms.overdue}`, summary]);
  }
  wsDebrief.getColumn(wsDebrief.columnCount).alignment = { wrapText: true, vertical: 'top' };
  wsReports.getColumn(8).alignment = { wrapText: true, vertical: 'top' };

  return wb;
}

/** The one-line summary printed by the CLI and sent with the file. */
export function assessmentSummary(wb: ExcelJS.Workbook, year: number): string {
  const count = (name: string) => Math.max(0, (wb.getWorksheet(name)?.rowCount ?? 1) - 1);
  return `${year} 年度考核材料：${count('按单位') - 1} 个单位，${count('按责任人')} 名责任人，${count('报告明细')} 份报告，${count('述职材料')} 名书记的述职材料`;
}
