// Reading one sheet against its column specification, collecting every problem. Pure.
import { cleanCell, normalizeHeader, type Problem, type RawBook, type RawSheet, findSheet } from './table.js';
import {
  allowedList,
  type CalendarDate,
  lookupLabel,
  parseDate,
  parsePositiveInt,
  parseYear,
} from './values.js';

export interface ColumnSpec {
  header: string;
  /** The column may be left out of the sheet altogether (its cells then read as empty). */
  optionalColumn?: boolean;
}

/** Reads a sheet's cells by header and records problems in the shared list. */
export class SheetReader {
  private readonly index = new Map<string, number>();

  constructor(
    readonly sheet: RawSheet,
    readonly columns: readonly ColumnSpec[],
    private readonly problems: Problem[],
  ) {
    const expected = columns.map((c) => c.header);
    const known = new Map(columns.map((c) => [normalizeHeader(c.header), c.header]));
    const seen = new Map<string, number>();
    sheet.headers.forEach((raw, i) => {
      const h = cleanCell(raw);
      if (h === '') return; // an empty header cell: ignored (its cells are checked below)
      const canonical = known.get(normalizeHeader(h));
      if (!canonical) {
        this.add(1, h, `未知的列「${h}」。「${sheet.name}」表应有的列：${expected.join('、')}`);
        return;
      }
      const prev = seen.get(canonical);
      if (prev !== undefined) {
        this.add(1, h, `列「${canonical}」出现了两次（第 ${columnLetter(prev)} 列和第 ${columnLetter(i)} 列）`);
        return;
      }
      seen.set(canonical, i);
      this.index.set(canonical, i);
    });
    for (const c of columns) {
      if (!c.optionalColumn && !this.index.has(c.header)) {
        this.add(1, c.header, `缺少列「${c.header}」。「${sheet.name}」表应有的列：${expected.join('、')}`);
      }
    }
    // Cells under an empty header: data the importer would silently drop.
    const headless = new Set<number>();
    for (const r of sheet.rows) {
      r.cells.forEach((c, i) => {
        if (cleanCell(c) !== '' && cleanCell(sheet.headers[i]) === '') headless.add(i);
      });
    }
    for (const i of [...headless].sort((a, b) => a - b)) {
      this.add(1, null, `第 ${columnLetter(i)} 列有数据但没有列名。「${sheet.name}」表应有的列：${expected.join('、')}`);
    }
  }

  has(header: string): boolean {
    return this.index.has(header);
  }

  /** Data rows that are not entirely blank. */
  rows(): RowReader[] {
    return this.sheet.rows
      .filter((r) => r.cells.some((c) => cleanCell(c) !== ''))
      .map((r) => new RowReader(this, r.row, r.cells));
  }

  cellOf(cells: readonly string[], header: string): string {
    const i = this.index.get(header);
    return i === undefined ? '' : cleanCell(cells[i]);
  }

  add(row: number | null, column: string | null, message: string): void {
    this.problems.push({ sheet: this.sheet.name, row, column, message });
  }
}

export class RowReader {
  constructor(
    private readonly reader: SheetReader,
    readonly row: number,
    private readonly cells: readonly string[],
  ) {}

  /** The trimmed cell, '' if empty or the column is absent. */
  get(header: string): string {
    return this.reader.cellOf(this.cells, header);
  }

  /** The cell text or null if empty. */
  optional(header: string): string | null {
    const v = this.get(header);
    return v === '' ? null : v;
  }

  /** The cell text; an empty cell is a problem (unless the whole column is missing, reported already). */
  required(header: string): string | undefined {
    const v = this.get(header);
    if (v !== '') return v;
    if (this.reader.has(header)) this.problem(header, `「${header}」不能为空`);
    return undefined;
  }

  problem(column: string | null, message: string): void {
    this.reader.add(this.row, column, message);
  }

  /** One of the allowed labels. `fallback` is used for an empty cell when given; otherwise empty is a problem. */
  choice<T>(header: string, labels: ReadonlyArray<readonly [string, T]>, fallback?: T): T | undefined {
    const v = fallback === undefined ? this.required(header) : this.get(header);
    if (v === undefined) return undefined;
    if (v === '') return fallback;
    const found = lookupLabel(labels, v);
    if (found === undefined) {
      this.problem(header, `「${header}」填写的「${v}」不是允许的值，应为：${allowedList(labels)}`);
    }
    return found;
  }

  date(header: string): CalendarDate | undefined {
    const v = this.required(header);
    if (v === undefined) return undefined;
    const d = parseDate(v);
    if (!d) this.problem(header, `「${header}」填写的「${v}」不是有效日期，应写成 2026-03-31 这样的格式`);
    return d;
  }

  year(header: string): number | undefined {
    const v = this.required(header);
    if (v === undefined) return undefined;
    const y = parseYear(v);
    if (y === undefined) this.problem(header, `「${header}」填写的「${v}」不是有效年份，应为四位数字，如 2026`);
    return y;
  }

  positiveInt(header: string): number | undefined {
    const v = this.required(header);
    if (v === undefined) return undefined;
    const n = parsePositiveInt(v);
    if (n === undefined) this.problem(header, `「${header}」填写的「${v}」应为正整数，如 1、2、3`);
    return n;
  }
}

/** The sheet of that name, or a problem saying it is missing. */
export function requireSheet(book: RawBook, name: string, expected: readonly string[], problems: Problem[]): RawSheet | undefined {
  const s = findSheet(book, name);
  if (!s) {
    problems.push({
      sheet: name,
      row: null,
      column: null,
      message: `缺少工作表「${name}」。文件应有的工作表：${expected.join('、')}`,
    });
  }
  return s;
}

/** Records duplicates of a key: the second and later rows get a problem naming the first. */
export class KeyIndex<V> {
  private readonly map = new Map<string, { row: number; value: V }>();

  /** Returns false (and records a problem) if the key was already used. */
  claim(r: RowReader, key: string, column: string, what: string, value: V): boolean {
    const prev = this.map.get(key);
    if (prev) {
      r.problem(column, `${what}重复，第 ${prev.row} 行已有`);
      return false;
    }
    this.map.set(key, { row: r.row, value });
    return true;
  }

  get(key: string): V | undefined {
    return this.map.get(key)?.value;
  }

  has(key: string): boolean {
    return this.map.has(key);
  }
}

/** Spreadsheet column letter for a 0-based index: 0 → A, 26 → AA. */
export function columnLetter(i: number): string {
  let n = i + 1;
  let s = '';
  while (n > 0) {
    const r = (n - 1) % 26;
    s = String.fromCharCode(65 + r) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}
