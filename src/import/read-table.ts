// Read an import file into raw sheets: .xlsx (every worksheet), .csv (one sheet named after the file),
// or a folder of .csv files (one sheet per file). Cells become trimmed strings; dates become YYYY-MM-DD.
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import type { RawBook, RawRow, RawSheet } from '../domain/roster/table.js';
import { AppError } from '../errors.js';

/** Read an .xlsx file, a .csv file or a folder of .csv files. */
export async function readBook(filePath: string): Promise<RawBook> {
  const st = await stat(filePath).catch(() => undefined);
  if (!st) throw new AppError('not_found', `找不到文件：${filePath}`);
  if (st.isDirectory()) return readCsvFolder(filePath);
  const ext = path.extname(filePath).toLowerCase();
  if (ext === '.xlsx') return readXlsx(await readFile(filePath));
  if (ext === '.csv') return [readCsv(await readFile(filePath), path.basename(filePath, path.extname(filePath)))];
  if (ext === '.xls') throw new AppError('bad_input', '不支持旧版 .xls 文件，请在 Excel 中另存为 .xlsx 或 CSV UTF-8');
  throw new AppError('bad_input', `不支持的文件类型「${ext || '无扩展名'}」，请使用 .xlsx 或 .csv`);
}

/** Every .csv file in the folder, as one sheet named after the file (单位.csv → 单位). */
export async function readCsvFolder(dir: string): Promise<RawBook> {
  const names = (await readdir(dir)).filter((n) => n.toLowerCase().endsWith('.csv')).sort();
  if (names.length === 0) throw new AppError('bad_input', `文件夹中没有 .csv 文件：${dir}`);
  const book: RawBook = [];
  for (const n of names) {
    book.push(readCsv(await readFile(path.join(dir, n)), path.basename(n, path.extname(n)).normalize('NFC')));
  }
  return book;
}

/**
 * One CSV sheet. UTF-8 with or without BOM; a file that is not valid UTF-8 is read as GB18030
 * (what Excel's plain "CSV (逗号分隔)" writes on Chinese Windows).
 */
export function readCsv(data: Buffer | string, sheetName: string): RawSheet {
  const text = typeof data === 'string' ? data : decodeText(data);
  const records = parseCsv(text, {
    bom: true,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: false,
  }) as string[][];
  const [headers = [], ...rest] = records;
  // Row numbers: header = 1. A trailing empty line gives [''] and is dropped as blank by the parsers.
  const rows: RawRow[] = rest.map((cells, i) => ({ row: i + 2, cells: cells.map((c) => c.trim()) }));
  return { name: sheetName, headers: headers.map((h) => h.replace(/^\uFEFF/, '').trim()), rows };
}

function decodeText(buf: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch {
    return new TextDecoder('gb18030').decode(buf);
  }
}

/** Every worksheet of an .xlsx workbook. */
export async function readXlsx(data: Buffer | ArrayBuffer): Promise<RawBook> {
  const wb = new ExcelJS.Workbook();
  try {
    // exceljs' own Buffer type predates Node's generic Buffer; it accepts any Node Buffer.
    await wb.xlsx.load(data as unknown as ExcelJS.Buffer);
  } catch (e) {
    throw new AppError('bad_input', '无法读取此 Excel 文件，请确认是 .xlsx 格式', { cause: String(e) });
  }
  const book: RawBook = [];
  wb.eachSheet((ws) => {
    const width = ws.columnCount;
    const readRow = (r: ExcelJS.Row): string[] => {
      const cells: string[] = [];
      for (let c = 1; c <= width; c++) cells.push(cellText(r.getCell(c).value));
      while (cells.length > 0 && cells[cells.length - 1] === '') cells.pop();
      return cells;
    };
    const headers = ws.rowCount >= 1 ? readRow(ws.getRow(1)) : [];
    const rows: RawRow[] = [];
    for (let i = 2; i <= ws.rowCount; i++) {
      const cells = readRow(ws.getRow(i));
      if (cells.length > 0) rows.push({ row: i, cells });
    }
    book.push({ name: ws.name.trim(), headers, rows });
  });
  return book;
}

/** Text of one exceljs cell value. */
export function cellText(v: ExcelJS.CellValue): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v.trim();
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(15)));
  if (typeof v === 'boolean') return v ? '是' : '否';
  // Excel stores a date as a wall-clock date; exceljs gives it as that time in UTC.
  if (v instanceof Date) {
    if (Number.isNaN(v.getTime())) return '';
    return `${v.getUTCFullYear()}-${pad(v.getUTCMonth() + 1)}-${pad(v.getUTCDate())}`;
  }
  if (typeof v === 'object') {
    if ('richText' in v && Array.isArray(v.richText)) return v.richText.map((t) => t.text).join('').trim();
    if ('formula' in v || 'sharedFormula' in v) {
      const result = (v as { result?: unknown }).result;
      return result === undefined ? '' : cellText(result as ExcelJS.CellValue);
    }
    if ('hyperlink' in v && 'text' in v) {
      const t = (v as { text: unknown }).text;
      return typeof t === 'string' ? t.trim() : cellText(t as ExcelJS.CellValue);
    }
    if ('error' in v) return '';
  }
  return String(v).trim();
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
