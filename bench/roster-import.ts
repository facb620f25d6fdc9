// Province-scale roster import timing: 1,000 units × 15 people, 20,000 grassroots orgs, 12,000 liaison points.
// Needs PostgreSQL (DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/test); makes and drops its own database.
// Run: npx tsx bench/roster-import.ts [--xlsx]
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { createPrisma } from '../src/db/client.js';
import { applyMigrations, dropDatabase, ensureDatabase } from '../src/db/migrate.js';
import { parseRoster } from '../src/domain/roster/roster.js';
import { type RawBook, sheetFromArrays } from '../src/domain/roster/table.js';
import { readBook } from '../src/import/read-table.js';
import { importRoster } from '../src/import/roster-import.js';

const UNITS = 1000;
const PEOPLE_PER_UNIT = 15;
const ORGS_PER_UNIT = 20;
const ROLES = ['书记', '分管领导', ...Array<string>(10).fill('班子成员'), '党建工作人员', '党建工作人员', '党建工作人员'];

function tables(variant: number): Record<string, string[][]> {
  const units = [['单位编号', '单位名称', '单位类型']];
  const people = [['人员编号', '姓名', '单位编号', '角色', '职务', '飞书open_id', '手机号', '邮箱']];
  const orgs = [['组织编号', '组织名称', '所属单位编号', '组织类型', '软弱涣散']];
  const points = [['人员编号', '组织编号']];
  for (let u = 0; u < UNITS; u++) {
    const uc = `U${String(u).padStart(4, '0')}`;
    units.push([uc, `第${u}镇党委`, '镇党委']);
    for (let o = 0; o < ORGS_PER_UNIT; o++) {
      orgs.push([`G${uc}-${o}`, `第${u}镇第${o}村党支部`, uc, o % 5 === 0 ? '社区' : '村', o === 3 ? '是' : '否']);
    }
    for (let p = 0; p < PEOPLE_PER_UNIT; p++) {
      const n = u * PEOPLE_PER_UNIT + p;
      // variant 2: 5 % of people left out (with their liaison points), 10 % get a new title.
      if (variant === 2 && n % 20 === 7) continue;
      const title = variant === 2 && n % 10 === 1 ? '新职务' : '职务';
      const role = ROLES[p]!;
      people.push([`P${String(n).padStart(6, '0')}`, `人员${n}`, uc, role, title, `ou_bench_${n}`, `139${String(n).padStart(8, '0')}`, '']);
      if (role !== '党建工作人员') points.push([`P${String(n).padStart(6, '0')}`, `G${uc}-${p % ORGS_PER_UNIT}`]);
    }
  }
  return { 单位: units, 人员: people, 基层党组织: orgs, 联系点: points };
}

const bookOf = (t: Record<string, string[][]>): RawBook => Object.entries(t).map(([n, rows]) => sheetFromArrays(n, rows));

async function timed<T>(label: string, fn: () => Promise<T> | T): Promise<T> {
  const t0 = performance.now();
  const r = await fn();
  console.log(`${label}: ${((performance.now() - t0) / 1000).toFixed(2)} s`);
  return r;
}

async function main(): Promise<void> {
  const server = new URL(process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test');
  server.pathname = `/bench_roster_${Date.now().toString(36)}`;
  const url = server.toString();
  await ensureDatabase(url);
  await applyMigrations(url);
  const prisma = createPrisma(url);
  try {
    let book = bookOf(tables(1));
    if (process.argv.includes('--xlsx')) {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'roster-bench-'));
      const file = path.join(dir, 'roster.xlsx');
      const wb = new ExcelJS.Workbook();
      for (const [name, rows] of Object.entries(tables(1))) wb.addWorksheet(name).addRows(rows);
      await wb.xlsx.writeFile(file);
      book = await timed('read xlsx (15k people, 20k orgs)', () => readBook(file));
      await rm(dir, { recursive: true });
    }
    const parsed = await timed('parse + check', () => parseRoster(book));
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems.slice(0, 5)));
    const t0 = performance.now();
    const onProgress = (p: { step: string; done: number; total: number }) => {
      if (p.done === p.total) console.log(`  ${p.step} done at ${((performance.now() - t0) / 1000).toFixed(2)} s`);
    };
    const first = await timed('first import', () =>
      importRoster(prisma, parsed.value, { now: new Date('2026-01-05T00:00:00Z'), onProgress }),
    );
    console.log(JSON.stringify(first));
    const same = await timed('re-import, nothing changed', () => importRoster(prisma, parsed.value, { now: new Date('2026-02-05T00:00:00Z') }));
    console.log(JSON.stringify(same));
    const p2 = parseRoster(bookOf(tables(2)));
    if (!p2.ok) throw new Error(JSON.stringify(p2.problems.slice(0, 5)));
    const changed = await timed('re-import, 5 % left out, 10 % edited', () =>
      importRoster(prisma, p2.value, { now: new Date('2026-03-05T00:00:00Z') }),
    );
    console.log(JSON.stringify(changed));
  } finally {
    await prisma.$disconnect();
    await dropDatabase(url);
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
