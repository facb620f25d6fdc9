// The year's assessment export (五(四)): one workbook of the figures /统计 shows, by unit, by leader and by
// duty type, every report, per secretary the material for the debrief (四(二)4), and the OD's oversight
// records: each inspection finding and its rectification (五(三)), each weak-org rectification (四(一)3).
//
// Written with exceljs' streaming writer straight to a file, each row committed as it is made; the
// figures come from PostgreSQL already counted per unit, person or duty (the /统计 rules, in SQL) and the
// reports in pages, so memory stays flat however many obligations and reports the year has.
import ExcelJS from 'exceljs';
import type { Db } from '../db/client.js';
import { findRule, type Catalog } from '../domain/duties/catalog.js';
import { METHOD_LABEL } from '../domain/oversight/inspection.js';
import { counts, isOverdue, percent, summarise, summaryOf, type Counts, type Summary } from '../domain/stats/aggregate.js';
import { Prisma } from '../generated/prisma/client.js';
import type { ObligationStatus, Role } from '../generated/prisma/enums.js';
import { loadDomainConfig } from '../ops/domain-config.js';
import { activeUnits, countColumns } from '../stats/queries.js';
import { dutyName, dutyOrder } from '../stats/view.js';

export interface AssessmentOptions {
  year: number;
  /** Figures are as of this instant (what is due by now counts). */
  now: Date;
  /** The duty catalog (default: config/duty-catalog.json). */
  catalog?: Catalog;
}

/** Data rows written per sheet (header and the 合计 row not counted). */
export interface AssessmentCounts {
  units: number;
  people: number;
  duties: number;
  reports: number;
  secretaries: number;
  /** Inspection findings of the year. */
  findings: number;
  /** Weak-org rectification records running at some point in the year. */
  weakOrgs: number;
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
/** Reports read per round trip. */
const REPORT_PAGE = 5000;

/** The figure cells of a summary: due, done, on time, late (done after due), overdue (open past due), rates in %. */
export function figureCells(s: Summary): Array<number | null> {
  return [s.total, s.done, s.onTime, s.done - s.onTime, s.overdue, percent(s.completionRate), percent(s.onTimeRate)];
}

/** Year bounds in Beijing time. */
export function yearBounds(year: number): { from: Date; to: Date } {
  return { from: new Date(`${year}-01-01T00:00:00+08:00`), to: new Date(`${year + 1}-01-01T00:00:00+08:00`) };
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

/**
 * The /统计 figures (`summarise`) of the year's obligations that are not cancelled, counted in SQL per
 * `key` (one group under key 0 when null), optionally of one duty only.
 */
async function figuresBy<K extends number | string>(db: Db, opts: { from: Date; to: Date; now: Date }, key: 'unitId' | 'personId' | 'ruleCode' | null, ruleCode?: string): Promise<Map<K, Summary>> {
  const { from, to, now } = opts;
  const rows = await db.$queryRaw<Array<Counts & { key: K }>>`
    SELECT ${key ? Prisma.raw(`o."${key}"`) : Prisma.sql`0`} AS key,
           ${countColumns(now)}
    FROM "Obligation" o
    WHERE o."dueAt" >= ${from} AND o."dueAt" < ${to} AND o."status" <> 'CANCELLED'
      ${ruleCode ? Prisma.sql`AND o."ruleCode" = ${ruleCode}` : Prisma.empty}
    GROUP BY 1`;
  return new Map(rows.map(({ key: k, ...c }) => [k, summaryOf(c)]));
}

interface ReportRow {
  id: number;
  unitId: number;
  createdAt: Date;
  late: boolean;
  text: string;
  fields: unknown;
  personName: string;
  unitName: string;
  ruleCode: string;
  periodKey: string;
  title: string;
}

/**
 * The year's reports (not withdrawn) by unit, then as stored, read in pages of REPORT_PAGE (keyset); the
 * next page is fetched while the current one is written.
 */
async function* reportsOf(db: Db, from: Date, to: Date): AsyncGenerator<ReportRow> {
  const pageAfter = (last?: ReportRow) => db.$queryRaw<ReportRow[]>`
    SELECT r."id", o."unitId", r."createdAt", r."late", r."text", r."fields", p."name" AS "personName",
           u."name" AS "unitName", o."ruleCode", o."periodKey", o."title"
    FROM "Report" r
    JOIN "Obligation" o ON o."id" = r."obligationId"
    JOIN "Person" p ON p."id" = r."personId"
    JOIN "Unit" u ON u."id" = o."unitId"
    WHERE r."withdrawnAt" IS NULL AND o."dueAt" >= ${from} AND o."dueAt" < ${to}
      ${last ? Prisma.sql`AND (o."unitId", r."createdAt", r."id") > (${last.unitId}, ${last.createdAt}, ${last.id})` : Prisma.empty}
    ORDER BY o."unitId", r."createdAt", r."id"
    LIMIT ${REPORT_PAGE}`;
  // A prefetched page left behind when writing fails must not become an unhandled rejection.
  const fetch = (last?: ReportRow) => {
    const page = pageAfter(last);
    page.catch(() => undefined);
    return page;
  };
  let next: Promise<ReportRow[]> | undefined = fetch();
  while (next) {
    const page: ReportRow[] = await next;
    next = page.length === REPORT_PAGE ? fetch(page.at(-1)) : undefined;
    yield* page;
  }
}

type Cell = string | number | null;

/** A sheet with a bold, centred, frozen header row; `columnStyle` applies to the cells of one column. */
function addSheet(wb: ExcelJS.stream.xlsx.WorkbookWriter, name: string, headers: string[], widths: number[], columnStyle?: { column: number; style: Partial<ExcelJS.Style> }) {
  const ws = wb.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = headers.map((header, i) => ({ header, width: widths[i] ?? 12, ...(columnStyle?.column === i + 1 ? { style: columnStyle.style } : {}) }));
  const head = ws.getRow(1);
  head.font = { bold: true };
  head.alignment = { vertical: 'middle', horizontal: 'center', wrapText: true };
  head.commit();
  let rows = 0;
  return {
    add(cells: Cell[], font?: Partial<ExcelJS.Font>): void {
      const row = ws.addRow(cells);
      if (font) row.font = font;
      row.commit();
      rows++;
    },
    /** Finishes the sheet; returns its data rows. */
    done(): number {
      ws.commit();
      return rows;
    },
  };
}

/** Writes the year's assessment workbook to `file` (.xlsx), sheet by sheet, row by row. */
export async function writeAssessmentWorkbook(db: Db, file: string, opts: AssessmentOptions): Promise<AssessmentCounts> {
  const { year, now } = opts;
  const catalog = opts.catalog ?? loadDomainConfig().catalog.current;
  const { from, to } = yearBounds(year);
  const span = { from, to, now };
  const none = summarise([], now);

  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useStyles: true, useSharedStrings: false });
  wb.creator = 'dangjian-bot';
  wb.created = now;

  // 按单位
  const [units, byUnit, all] = await Promise.all([activeUnits(db), figuresBy<number>(db, span, 'unitId'), figuresBy<number>(db, span, null)]);
  const wsUnit = addSheet(wb, '按单位', ['单位', ...FIGURE_HEADERS], [28, ...FIGURE_WIDTHS]);
  for (const u of units) wsUnit.add([u.name, ...figureCells(byUnit.get(u.id) ?? none)]);
  wsUnit.add(['合计', ...figureCells(all.get(0) ?? none)], { bold: true });
  const unitRows = wsUnit.done() - 1;

  // 按责任人: everyone with an obligation of the year that is not cancelled
  const byPerson = await figuresBy<number>(db, span, 'personId');
  const people = await db.person.findMany({
    where: { obligations: { some: { dueAt: { gte: from, lt: to }, status: { not: 'CANCELLED' } } } },
    select: { id: true, name: true, role: true, unit: { select: { name: true } } },
    orderBy: [{ unitId: 'asc' }, { role: 'asc' }, { id: 'asc' }],
  });
  const wsPerson = addSheet(wb, '按责任人', ['责任人', '单位', '角色', ...FIGURE_HEADERS], [12, 28, 22, ...FIGURE_WIDTHS]);
  for (const p of people) wsPerson.add([p.name, p.unit.name, ROLE_ZH[p.role], ...figureCells(byPerson.get(p.id) ?? none)]);
  const personRows = wsPerson.done();

  // 按责任类型
  const byDuty = [...(await figuresBy<string>(db, span, 'ruleCode'))].sort((a, b) => dutyOrder(catalog, a[0]) - dutyOrder(catalog, b[0]) || a[0].localeCompare(b[0]));
  const wsDuty = addSheet(wb, '按责任类型', ['责任类型', '依据条款', ...FIGURE_HEADERS], [40, 50, ...FIGURE_WIDTHS]);
  for (const [code, s] of byDuty) {
    const rule = findRule(catalog, code);
    wsDuty.add([dutyName(catalog, code), rule ? `${rule.clause.ref} ${rule.clause.quote}` : '', ...figureCells(s)]);
  }
  const dutyRows = wsDuty.done();

  // 报告明细
  const top = { wrapText: true, vertical: 'top' } as const;
  const wsReports = addSheet(wb, '报告明细', ['单位', '汇报人', '责任类型', '事项', '期间', '提交日期', '是否逾期', '报告内容'], [28, 12, 30, 40, 10, 12, 10, 80], { column: 8, style: { alignment: top } });
  for await (const r of reportsOf(db, from, to)) {
    wsReports.add([r.unitName, r.personName, dutyName(catalog, r.ruleCode), r.title, r.periodKey, beijingDate(r.createdAt), r.late ? '是' : '否', fieldsText(catalog, r.ruleCode, r.fields) || r.text]);
  }
  const reportRows = wsReports.done();

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
  const [visits, meetings, milestones] = await Promise.all([countOf('LIAISON_VISIT_SECRETARY'), countOf('PC_MEETING_STUDY'), figuresBy<number>(db, span, 'personId', 'PROJECT_MILESTONE')]);
  const projects = await db.project.findMany({ where: { ownerPersonId: { in: secIds }, year }, select: { ownerPersonId: true, title: true }, orderBy: { id: 'asc' } });
  const projectsOf = new Map<number, string[]>();
  for (const p of projects) projectsOf.set(p.ownerPersonId, [...(projectsOf.get(p.ownerPersonId) ?? []), p.title]);

  const debriefHeaders = ['单位', '书记', ...FIGURE_HEADERS, '到联系点检查指导(次)', '主持研究党建工作会议(次)', '书记项目', '项目节点(已完成/应完成/逾期)', '综述'];
  const wsDebrief = addSheet(wb, '述职材料', debriefHeaders, [28, 12, ...FIGURE_WIDTHS, 14, 14, 36, 16, 90], { column: debriefHeaders.length, style: { alignment: top } });
  const rate = (x: number | null) => (x === null ? '—' : `${percent(x)}%`);
  for (const s of secretaries) {
    const sum = byPerson.get(s.id) ?? none;
    const ms = milestones.get(s.id) ?? none;
    const v = visits.get(s.id) ?? 0;
    const m = meetings.get(s.id) ?? 0;
    const proj = projectsOf.get(s.id) ?? [];
    const summary =
      `${year}年度应完成党建责任 ${sum.total} 项，已完成 ${sum.done} 项（按时 ${sum.onTime} 项、逾期完成 ${sum.done - sum.onTime} 项），` +
      `逾期未完成 ${sum.overdue} 项，完成率 ${rate(sum.completionRate)}，按时率 ${rate(sum.onTimeRate)}；` +
      `到基层联系点检查指导 ${v} 次，主持党组（党委）会议研究基层党建工作 ${m} 次；` +
      (proj.length ? `书记项目「${proj.join('」「')}」节点完成 ${ms.done}/${ms.total}${ms.overdue ? `，逾期 ${ms.overdue} 个` : ''}。` : '无书记项目。');
    wsDebrief.add([s.unit.name, s.name, ...figureCells(sum), v, m, proj.join('、'), `${ms.done}/${ms.total}/${ms.overdue}`, summary]);
  }
  const secretaryRows = wsDebrief.done();

  const findingRows = await writeFindings(db, addSheet(wb, '督查整改', FINDING_HEADERS, [28, 12, 10, 8, 50, 12, 10, 10, 60], { column: 9, style: { alignment: top } }), span);
  const weakRows = await writeWeakOrgs(db, addSheet(wb, '软弱涣散整顿', WEAK_HEADERS, [30, 28, 12, 12, 14, 10, 40]), span);

  await wb.commit();
  return { units: unitRows, people: personRows, duties: dutyRows, reports: reportRows, secretaries: secretaryRows, findings: findingRows, weakOrgs: weakRows };
}

const FINDING_HEADERS = ['单位', '检查日期', '检查方式', '问题序号', '发现的问题', '整改期限', '整改状态', '是否逾期', '验收情况'];
const FINDING_STATE: Readonly<Record<ObligationStatus, string>> = { OPEN: '整改中', SUBMITTED: '待验收', DONE: '已销号', CANCELLED: '已取消' };
const REVIEW_ZH = { ACCEPT: '通过', RETURN: '退回' } as const;

/** 督查整改: every finding of the year's inspections, its rectification's state and the OD's decisions. */
async function writeFindings(db: Db, ws: ReturnType<typeof addSheet>, o: { from: Date; to: Date; now: Date }): Promise<number> {
  const findings = await db.inspectionFinding.findMany({
    where: { inspection: { inspectedOn: { gte: o.from, lt: o.to } } },
    orderBy: [{ inspection: { unitId: 'asc' } }, { inspectionId: 'asc' }, { seq: 'asc' }],
    include: {
      inspection: { select: { id: true, method: true, inspectedOn: true, deadline: true, unit: { select: { name: true } } } },
      obligation: { select: { status: true, dueAt: true, late: true, reviews: { orderBy: { id: 'asc' }, select: { decision: true, note: true, at: true, reviewer: { select: { name: true } } } } } },
    },
  });
  for (const f of findings) {
    const ob = f.obligation;
    const late = ob ? ob.late || (ob.status === 'OPEN' && ob.dueAt < o.now) : false;
    const reviews = (ob?.reviews ?? []).map((r) => `${beijingDate(r.at)} ${r.reviewer.name}${REVIEW_ZH[r.decision]}${r.note ? `：${r.note}` : ''}`);
    ws.add([f.inspection.unit.name, beijingDate(f.inspection.inspectedOn), METHOD_LABEL[f.inspection.method], `${f.inspection.id}-${f.seq}`, f.text, beijingDate(f.inspection.deadline), ob ? FINDING_STATE[ob.status] : '', late ? '是' : '否', reviews.join('\n')]);
  }
  return ws.done();
}

const WEAK_HEADERS = ['党组织', '单位', '标记日期', '销号日期', '进展报告(已报/应报)', '逾期未报', '销号说明'];

/** 软弱涣散整顿: each rectification record running at some point in the year, with its monthly progress reports. */
async function writeWeakOrgs(db: Db, ws: ReturnType<typeof addSheet>, o: { from: Date; to: Date; now: Date }): Promise<number> {
  const records = await db.weakOrgRectification.findMany({
    where: { since: { lt: o.to }, OR: [{ liftedAt: null }, { liftedAt: { gte: o.from } }] },
    orderBy: [{ org: { unitId: 'asc' } }, { orgId: 'asc' }, { since: 'asc' }],
    select: { id: true, since: true, liftedAt: true, liftNote: true, org: { select: { name: true, unit: { select: { name: true } } } } },
  });
  const reports = await db.obligation.findMany({
    where: { ruleCode: 'WEAK_ORG_RECTIFICATION', subjectKey: { in: records.map((r) => `weak:${r.id}`) }, dueAt: { gte: o.from, lt: o.to }, status: { not: 'CANCELLED' } },
    select: { subjectKey: true, status: true, dueAt: true },
  });
  for (const r of records) {
    const mine = reports.filter((x) => x.subjectKey === `weak:${r.id}`);
    const owed = mine.filter((x) => counts(x, o.now));
    const done = owed.filter((x) => x.status === 'DONE').length;
    ws.add([r.org.name, r.org.unit.name, beijingDate(r.since), r.liftedAt ? beijingDate(r.liftedAt) : '整顿中', `${done}/${owed.length}`, mine.filter((x) => isOverdue(x, o.now)).length, r.liftNote]);
  }
  return ws.done();
}

/** The one-line summary printed by the CLI and sent with the file. */
export function assessmentSummary(c: AssessmentCounts, year: number): string {
  return `${year} 年度考核材料：${c.units} 个单位，${c.people} 名责任人，${c.reports} 份报告，${c.secretaries} 名书记的述职材料，${c.findings} 条督查发现问题，${c.weakOrgs} 个软弱涣散党组织整顿`;
}
