// The Party-building projects file (书记项目 / 班子成员项目, 四(二)3, 四(四)3): sheets 项目 and 节点. Pure.
import type { ProjectKind } from '../../generated/prisma/enums.js';
import type { RosterRefs } from './refs.js';
import { KeyIndex, type ColumnSpec, requireSheet, SheetReader } from './sheet.js';
import { type Parsed, type Problem, type RawBook, sortProblems } from './table.js';
import { type CalendarDate, formatDate, labelOf, PROJECT_KIND_LABELS, ROLE_LABELS } from './values.js';

export const PROJECT_SHEETS = { projects: '项目', milestones: '节点' } as const;
export const PROJECT_SHEET_ORDER: readonly string[] = Object.values(PROJECT_SHEETS);

export const PROJECT_COLUMNS: readonly ColumnSpec[] = [
  { header: '单位编号' },
  { header: '年度' },
  { header: '项目编号' },
  { header: '项目名称' },
  { header: '类型' },
  { header: '负责人编号' },
];

/** 单位编号 and 年度 may be left out when the 项目编号 alone identifies one project in the file. */
export const MILESTONE_COLUMNS: readonly ColumnSpec[] = [
  { header: '单位编号', optionalColumn: true },
  { header: '年度', optionalColumn: true },
  { header: '项目编号' },
  { header: '节点序号' },
  { header: '节点内容' },
  { header: '完成时限' },
];

export interface ProjectRow {
  row: number;
  unitCode: string;
  year: number;
  code: string;
  title: string;
  kind: ProjectKind;
  ownerCode: string;
}

export interface MilestoneRow {
  row: number;
  /** The project it belongs to (an element of ParsedProjects.projects). */
  unitCode: string;
  year: number;
  projectCode: string;
  seq: number;
  title: string;
  deadline: CalendarDate;
}

export interface ParsedProjects {
  projects: ProjectRow[];
  milestones: MilestoneRow[];
}

export function projectKey(unitCode: string, year: number, code: string): string {
  return `${unitCode}\u0000${year}\u0000${code}`;
}

/** Parse and check a projects file: both sheets, duplicates, each milestone's project, each project has a milestone. */
export function parseProjects(book: RawBook): Parsed<ParsedProjects> {
  const problems: Problem[] = [];
  const projSheet = requireSheet(book, PROJECT_SHEETS.projects, PROJECT_SHEET_ORDER, problems);
  const msSheet = requireSheet(book, PROJECT_SHEETS.milestones, PROJECT_SHEET_ORDER, problems);

  const projects: ProjectRow[] = [];
  const byKey = new KeyIndex<ProjectRow | null>();
  const byCode = new Map<string, string[]>(); // 项目编号 → project keys
  if (projSheet) {
    const s = new SheetReader(projSheet, PROJECT_COLUMNS, problems);
    const rows = s.rows();
    if (rows.length === 0) s.add(null, null, '「项目」表没有数据');
    for (const r of rows) {
      const unitCode = r.required('单位编号');
      const year = r.year('年度');
      const code = r.required('项目编号');
      const title = r.required('项目名称');
      const kind = r.choice('类型', PROJECT_KIND_LABELS);
      const ownerCode = r.required('负责人编号');
      let ok = title !== undefined && kind !== undefined && ownerCode !== undefined;
      if (unitCode !== undefined && year !== undefined && code !== undefined) {
        const key = projectKey(unitCode, year, code);
        const row =
          ok && title !== undefined && kind !== undefined && ownerCode !== undefined
            ? { row: r.row, unitCode, year, code, title, kind, ownerCode }
            : null;
        if (byKey.claim(r, key, '项目编号', `单位「${unitCode}」${year} 年度项目编号「${code}」`, row)) {
          byCode.set(code, [...(byCode.get(code) ?? []), key]);
          if (row) projects.push(row);
        }
      }
    }
  }

  const milestones: MilestoneRow[] = [];
  const withMilestone = new Set<string>();
  if (msSheet) {
    const s = new SheetReader(msSheet, MILESTONE_COLUMNS, problems);
    const seqs = new KeyIndex<true>();
    for (const r of s.rows()) {
      const unitCell = r.get('单位编号');
      const yearCell = r.get('年度');
      const projectCode = r.required('项目编号');
      const seq = r.positiveInt('节点序号');
      const title = r.required('节点内容');
      const deadline = r.date('完成时限');
      let ok = seq !== undefined && title !== undefined && deadline !== undefined;
      let key: string | undefined;
      if (projectCode !== undefined && projSheet) {
        if (unitCell !== '' || yearCell !== '') {
          const year = r.year('年度');
          const unitCode = r.required('单位编号');
          if (year !== undefined && unitCode !== undefined) {
            key = projectKey(unitCode, year, projectCode);
            if (!byKey.has(key)) {
              r.problem('项目编号', `「项目」表中没有单位「${unitCode}」${year} 年度的项目「${projectCode}」`);
              key = undefined;
            }
          }
        } else {
          const keys = byCode.get(projectCode) ?? [];
          if (keys.length === 0) r.problem('项目编号', `「项目」表中没有项目编号「${projectCode}」`);
          else if (keys.length > 1) {
            r.problem('项目编号', `项目编号「${projectCode}」在「项目」表中有 ${keys.length} 个，请同时填写单位编号和年度`);
          } else key = keys[0];
        }
      }
      if (key === undefined) ok = false;
      else {
        withMilestone.add(key);
        if (seq !== undefined) ok = seqs.claim(r, `${key}\u0000${seq}`, '节点序号', `项目「${projectCode}」的节点序号 ${seq} `, true) && ok;
      }
      const project = key !== undefined ? byKey.get(key) : undefined;
      if (project && deadline !== undefined && deadline.y < project.year) {
        r.problem('完成时限', `完成时限 ${formatDate(deadline)} 早于项目的 ${project.year} 年度`);
        ok = false;
      }
      if (ok && project && seq !== undefined && title !== undefined && deadline !== undefined) {
        milestones.push({ row: r.row, unitCode: project.unitCode, year: project.year, projectCode: project.code, seq, title, deadline });
      }
    }
  }

  if (msSheet) {
    for (const p of projects) {
      if (!withMilestone.has(projectKey(p.unitCode, p.year, p.code))) {
        problems.push({
          sheet: PROJECT_SHEETS.projects,
          row: p.row,
          column: '项目编号',
          message: `项目「${p.code} ${p.title}」没有节点，请在「节点」表中填写至少一个节点（内容和完成时限）`,
        });
      }
    }
  }

  if (problems.length > 0) return { ok: false, problems: sortProblems(problems, PROJECT_SHEET_ORDER) };
  return { ok: true, value: { projects, milestones } };
}

/**
 * References of parsed projects to the roster: the unit exists and is active; the owner is active and in that unit;
 * a 书记项目's owner is the unit's 书记, a 班子成员项目's owner is a 分管领导 or 班子成员.
 */
export function checkProjectReferences(parsed: ParsedProjects, refs: RosterRefs): Problem[] {
  const problems: Problem[] = [];
  for (const p of parsed.projects) {
    const add = (column: string, message: string) =>
      problems.push({ sheet: PROJECT_SHEETS.projects, row: p.row, column, message });
    const unit = refs.units.get(p.unitCode);
    if (!unit) add('单位编号', `单位编号「${p.unitCode}」不在名册中，请先导入名册`);
    else if (!unit.active) add('单位编号', `单位「${p.unitCode} ${unit.name}」已停用`);
    const owner = refs.people.get(p.ownerCode);
    if (!owner) {
      add('负责人编号', `人员编号「${p.ownerCode}」不在名册中`);
      continue;
    }
    if (!owner.active) add('负责人编号', `人员「${p.ownerCode} ${owner.name}」已停用`);
    else if (owner.unitCode !== p.unitCode) {
      add('负责人编号', `人员「${p.ownerCode} ${owner.name}」属于单位 ${owner.unitCode}，不是单位 ${p.unitCode} 的人员`);
    } else if (p.kind === 'SECRETARY' && owner.role !== 'SECRETARY') {
      add('负责人编号', `书记项目的负责人应为本单位书记，「${p.ownerCode} ${owner.name}」的角色是${labelOf(ROLE_LABELS, owner.role)}`);
    } else if (p.kind === 'LEADER' && owner.role !== 'DEPUTY' && owner.role !== 'MEMBER') {
      add('负责人编号', `班子成员项目的负责人应为分管领导或班子成员，「${p.ownerCode} ${owner.name}」的角色是${labelOf(ROLE_LABELS, owner.role)}`);
    }
  }
  return problems;
}
