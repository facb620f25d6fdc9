// The yearly responsibility list file (责任清单, 五(二)). Parse and check. Pure.
import type { RosterRefs } from './refs.js';
import { KeyIndex, type ColumnSpec, SheetReader } from './sheet.js';
import { findSheet, type Parsed, type Problem, type RawBook, sortProblems } from './table.js';
import { type CalendarDate, formatDate } from './values.js';

export const LIST_SHEET = '责任清单';

export const LIST_COLUMNS: readonly ColumnSpec[] = [
  { header: '单位编号' },
  { header: '年度' },
  { header: '序号' },
  { header: '清单内容' },
  { header: '责任人编号' },
  { header: '责任部门' },
  { header: '完成时限' },
];

export interface ListRow {
  /** The sheet the row came from (for problems found later). */
  sheet: string;
  row: number;
  unitCode: string;
  year: number;
  seq: number;
  content: string;
  responsiblePersonCode: string | null;
  responsibleDept: string | null;
  deadline: CalendarDate;
}

export interface ParsedList {
  items: ListRow[];
}

/**
 * Parse a responsibility-list file: the sheet named 责任清单, or else the first sheet
 * (a CSV file is one sheet). Checks cells, duplicates of 单位编号+年度+序号, dates.
 */
export function parseList(book: RawBook): Parsed<ParsedList> {
  const problems: Problem[] = [];
  const sheet = findSheet(book, LIST_SHEET) ?? book[0];
  if (!sheet) {
    return { ok: false, problems: [{ sheet: LIST_SHEET, row: null, column: null, message: '文件中没有工作表' }] };
  }
  const s = new SheetReader(sheet, LIST_COLUMNS, problems);
  const rows = s.rows();
  if (rows.length === 0) s.add(null, null, `「${sheet.name}」表没有数据`);
  const keys = new KeyIndex<true>();
  const items: ListRow[] = [];
  for (const r of rows) {
    const unitCode = r.required('单位编号');
    const year = r.year('年度');
    const seq = r.positiveInt('序号');
    const content = r.required('清单内容');
    const responsiblePersonCode = r.optional('责任人编号');
    const responsibleDept = r.optional('责任部门');
    const deadline = r.date('完成时限');
    let ok = unitCode !== undefined && year !== undefined && seq !== undefined && content !== undefined && deadline !== undefined;
    if (responsiblePersonCode === null && responsibleDept === null) {
      r.problem('责任人编号', '责任人编号和责任部门至少填一项');
      ok = false;
    }
    if (year !== undefined && deadline !== undefined && deadline.y < year) {
      r.problem('完成时限', `完成时限 ${formatDate(deadline)} 早于 ${year} 年度`);
      ok = false;
    }
    if (unitCode !== undefined && year !== undefined && seq !== undefined) {
      ok = keys.claim(r, `${unitCode}\u0000${year}\u0000${seq}`, '序号', `单位「${unitCode}」${year} 年度序号 ${seq} `, true) && ok;
    }
    if (ok && unitCode !== undefined && year !== undefined && seq !== undefined && content !== undefined && deadline !== undefined) {
      items.push({ sheet: sheet.name, row: r.row, unitCode, year, seq, content, responsiblePersonCode, responsibleDept, deadline });
    }
  }
  if (problems.length > 0) return { ok: false, problems: sortProblems(problems) };
  return { ok: true, value: { items } };
}

/** References of a parsed list to the roster: units exist and are active; the responsible person is active and in that unit. */
export function checkListReferences(list: ParsedList, refs: RosterRefs): Problem[] {
  const problems: Problem[] = [];
  for (const it of list.items) {
    const add = (column: string, message: string) => problems.push({ sheet: it.sheet, row: it.row, column, message });
    const unit = refs.units.get(it.unitCode);
    if (!unit) add('单位编号', `单位编号「${it.unitCode}」不在名册中，请先导入名册`);
    else if (!unit.active) add('单位编号', `单位「${it.unitCode} ${unit.name}」已停用`);
    if (it.responsiblePersonCode !== null) {
      const p = refs.people.get(it.responsiblePersonCode);
      if (!p) add('责任人编号', `人员编号「${it.responsiblePersonCode}」不在名册中`);
      else if (!p.active) add('责任人编号', `人员「${it.responsiblePersonCode} ${p.name}」已停用`);
      else if (p.unitCode !== it.unitCode) {
        add('责任人编号', `人员「${it.responsiblePersonCode} ${p.name}」属于单位 ${p.unitCode}，不是单位 ${it.unitCode} 的人员`);
      }
    }
  }
  return problems;
}
