// Raw tables as read from a workbook or CSV, and the problems found in them.
// Pure: no I/O. The readers in src/import/ produce RawSheet values; the parsers here turn them into typed rows.

/** One problem with one cell, row, column or sheet, in the clerk's terms. */
export interface Problem {
  /** Sheet name as in the workbook (单位, 人员, ...) or the CSV file's base name. */
  sheet: string;
  /** Row number as the clerk sees it in the spreadsheet (header = row 1); null for a whole-sheet problem. */
  row: number | null;
  /** The Chinese column header; null for a whole-row or whole-sheet problem. */
  column: string | null;
  /** Chinese, shown to the clerk as is. */
  message: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; problems: Problem[] };

/** One data row: the cells aligned with the sheet's headers (missing trailing cells are ''). */
export interface RawRow {
  /** Spreadsheet row number (header = row 1, first data row = 2). */
  row: number;
  cells: string[];
}

export interface RawSheet {
  name: string;
  headers: string[];
  rows: RawRow[];
}

/** A workbook: its sheets in order. A CSV folder is read as one sheet per file. */
export type RawBook = RawSheet[];

/** Build a RawSheet from arrays: the first array is the header row, the rest are rows 2, 3, ... */
export function sheetFromArrays(name: string, arrays: readonly (readonly string[])[]): RawSheet {
  const [headers = [], ...rest] = arrays;
  return {
    name,
    headers: headers.map((h) => h),
    rows: rest.map((cells, i) => ({ row: i + 2, cells: cells.map((c) => c) })),
  };
}

export function findSheet(book: RawBook, name: string): RawSheet | undefined {
  const want = normalizeHeader(name);
  return book.find((s) => normalizeHeader(s.name) === want);
}

/** Header comparison ignores whitespace (including full-width), case and a trailing "(必填)" style note. */
export function normalizeHeader(h: string): string {
  return h
    .replace(/[\s\u3000]+/g, '')
    .replace(/[（(][^）)]*[）)]$/, '')
    .replace(/\*$/, '')
    .toLowerCase();
}

/** Cell text trimmed of ordinary and full-width spaces. */
export function cleanCell(s: string | undefined): string {
  return (s ?? '').replace(/^[\s\u3000]+|[\s\u3000]+$/g, '');
}

/** "「人员」表第 3 行「手机号」：…" — one line for a clerk. */
export function formatProblem(p: Problem): string {
  const where = [`「${p.sheet}」表`];
  if (p.row !== null) where.push(`第 ${p.row} 行`);
  if (p.column !== null) where.push(`「${p.column}」`);
  return `${where.join('')}：${p.message}`;
}

/** Sort problems by sheet order of appearance, then row, then column, keeping their relative order otherwise. */
export function sortProblems(problems: Problem[], sheetOrder: readonly string[] = []): Problem[] {
  const rank = (s: string) => {
    const i = sheetOrder.indexOf(s);
    return i < 0 ? sheetOrder.length : i;
  };
  return problems
    .map((p, i) => ({ p, i }))
    .sort((a, b) => rank(a.p.sheet) - rank(b.p.sheet) || (a.p.row ?? 0) - (b.p.row ?? 0) || a.i - b.i)
    .map(({ p }) => p);
}
