// An import file sent in chat, from its bytes: .xlsx (every worksheet), .csv (one sheet named after
// the file), or .zip of the CSV folder (one sheet per .csv inside, wherever it sits in the archive).
// Which of the three imports it is comes from its sheets.
import path from 'node:path';
import JSZip from 'jszip';
import { LIST_SHEET } from '../domain/roster/list.js';
import { PROJECT_SHEETS } from '../domain/roster/projects.js';
import { ROSTER_SHEETS } from '../domain/roster/roster.js';
import type { RawBook } from '../domain/roster/table.js';
import { AppError } from '../errors.js';
import { readCsv, readXlsx } from './read-table.js';

export type ImportKind = 'roster' | 'list' | 'projects';

export const IMPORT_KIND_ZH: Readonly<Record<ImportKind, string>> = { roster: '花名册', list: '责任清单', projects: '党建项目' };

/** At most this many bytes unpacked from a .zip (a zip bomb is refused, not unpacked). */
const MAX_UNZIPPED = 50 * 1024 * 1024;

export async function readUpload(fileName: string, bytes: Buffer): Promise<RawBook> {
  const ext = path.extname(fileName).toLowerCase();
  try {
    if (ext === '.xlsx') return await readXlsx(bytes);
    if (ext === '.csv') return [readCsv(bytes, path.basename(fileName, ext).normalize('NFC'))];
    if (ext === '.zip') return await readZip(bytes);
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new AppError('bad_input', `文件"${fileName}"无法打开，可能已损坏或不是${ext === '.zip' ? ' zip 压缩包' : ext === '.xlsx' ? ' Excel 工作簿' : ' CSV 文件'}。请在 Excel 中另存后重新发送。`);
  }
  throw new AppError('bad_input', `不支持的文件类型"${ext || '无扩展名'}"：请发送 .xlsx、.csv 或 CSV 文件夹的 .zip 压缩包。`);
}

async function readZip(bytes: Buffer): Promise<RawBook> {
  const zip = await JSZip.loadAsync(bytes);
  const entries = Object.values(zip.files).filter((f) => !f.dir && /\.csv$/i.test(f.name) && !f.name.startsWith('__MACOSX/'));
  if (!entries.length) throw new AppError('bad_input', '压缩包中没有 .csv 文件：请把花名册或项目的各个 CSV 文件（如 单位.csv、人员.csv）压缩后发送。');
  const book: RawBook = [];
  let total = 0;
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const data = await e.async('nodebuffer');
    total += data.length;
    if (total > MAX_UNZIPPED) throw new AppError('bad_input', `压缩包解压后超过 ${MAX_UNZIPPED / 1024 / 1024} MB，未处理。`);
    book.push(readCsv(data, path.basename(e.name, path.extname(e.name)).normalize('NFC')));
  }
  return book;
}

/** Which import the sheets are: by sheet names (a CSV's name is its file name). */
export function detectImportKind(book: RawBook): ImportKind | null {
  const names = new Set(book.map((s) => s.name));
  const has = (n: string) => names.has(n);
  if (Object.values(ROSTER_SHEETS).some(has)) return 'roster';
  if (Object.values(PROJECT_SHEETS).some(has)) return 'projects';
  if (has(LIST_SHEET) || book.some((s) => s.headers.includes('清单内容'))) return 'list';
  return null;
}

export const UNKNOWN_BOOK =
  '看不出这是哪种导入文件：花名册应有"单位""人员""基层党组织""联系点"工作表，责任清单应有"责任清单"工作表，党建项目应有"项目""节点"工作表' +
  '（CSV 文件按文件名识别，如 人员.csv）。发送 /模板 获取三种模板。';
