// Province-scale roster import timing: 1,000 units × 15 people, 20,000 grassroots orgs, 12,000 liaison points.
// Needs PostgreSQL (DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/test); makes and drops its own database.
// Then generates the year's obligations for that roster. Last, the way an operator does it: the CLI
// (`import roster <file.xlsx>`, then `obligations generate --year 2026`) in processes of their own on a
// fresh database, with their wall time and peak memory (/usr/bin/time).
// Run: npx tsx bench/roster-import.ts [--xlsx]
import { mkdtemp, rm } from 'node:fs/promises';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { createPrisma } from '../src/db/client.js';
import { applyMigrations, dropDatabase, ensureDatabase } from '../src/db/migrate.js';
import { parseRoster } from '../src/domain/roster/roster.js';
import { type RawBook, sheetFromArrays } from '../src/domain/roster/table.js';
import { readBook } from '../src/import/read-table.js';
import { importRoster } from '../src/import/roster-import.js';
import { provinceRoster } from './province-roster.js';
import { generateObligations } from '../src/obligations/generate.js';
import { loadDomainConfig } from '../src/ops/domain-config.js';

const bookOf = (t: Record<string, string[][]>): RawBook => Object.entries(t).map(([n, rows]) => sheetFromArrays(n, rows));

async function timed<T>(label: string, fn: () => Promise<T> | T): Promise<T> {
  const t0 = performance.now();
  const r = await fn();
  console.log(`${label}: ${((performance.now() - t0) / 1000).toFixed(2)} s (peak RSS so far ${Math.round(peakRss / 1048576)} MB)`);
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
    let book = bookOf(provinceRoster(1));
    if (process.argv.includes('--xlsx')) {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'roster-bench-'));
      const file = path.join(dir, 'roster.xlsx');
      const wb = new ExcelJS.Workbook();
      for (const [name, rows] of Object.entries(provinceRoster(1))) wb.addWorksheet(name).addRows(rows);
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
    const catalog = loadDomainConfig().catalog.current;
    const gen = await timed('generate the 2026 obligations', () =>
      generateObligations(prisma, { year: 2026, now: new Date('2026-01-05T00:00:00Z'), catalog }),
    );
    console.log(JSON.stringify(gen));
    console.log(`import + generate: ${((performance.now() - t0) / 1000).toFixed(2)} s`);
    const again = await timed('generate again (nothing new)', () => generateObligations(prisma, { year: 2026, now: new Date('2026-01-05T00:00:00Z'), catalog }));
    console.log(JSON.stringify(again));
    const same = await timed('re-import, nothing changed', () => importRoster(prisma, parsed.value, { now: new Date('2026-02-05T00:00:00Z') }));
    console.log(JSON.stringify(same));
    const p2 = parseRoster(bookOf(provinceRoster(2)));
    if (!p2.ok) throw new Error(JSON.stringify(p2.problems.slice(0, 5)));
    const changed = await timed('re-import, 5 % left out, 10 % edited', () =>
      importRoster(prisma, p2.value, { now: new Date('2026-03-05T00:00:00Z') }),
    );
    console.log(JSON.stringify(changed));
  } finally {
    clearInterval(sampler);
    console.log(`peak RSS of this process: ${Math.round(peakRss / 1024 / 1024)} MB`);
    await prisma.$disconnect();
    await dropDatabase(url);
  }
  await cliRun();
}

/** The CLI on a fresh database: wall time and peak RSS of each command. */
async function cliRun(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'roster-cli-'));
  const file = path.join(dir, 'roster.xlsx');
  const wb = new ExcelJS.Workbook();
  for (const [name, rows] of Object.entries(provinceRoster(1))) wb.addWorksheet(name).addRows(rows);
  await wb.xlsx.writeFile(file);
  const db = new URL(process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test');
  db.pathname = `/bench_cli_${Date.now().toString(36)}`;
  const env = { ...process.env, DATABASE_URL: db.toString(), LARK_APP_ID: '', LARK_APP_SECRET: '', SANDBOX_PORT: '1' };
  let seconds = 0;
  let peakMb = 0;
  try {
    for (const args of [
      ['import', 'roster', file, '--now', '2026-01-05T00:00:00Z'],
      ['obligations', 'generate', '--year', '2026', '--now', '2026-01-05T00:00:00Z'],
    ]) {
      const r = spawnSync('/usr/bin/time', ['-f', 'TIME %e %M', process.execPath, '--import', 'tsx', 'src/cli/index.ts', ...args], { env, encoding: 'utf8' });
      const m = /TIME ([\d.]+) (\d+)/.exec(r.stderr);
      if (r.status !== 0 || !m) throw new Error(`cli ${args.join(' ')} failed: ${r.stderr}`);
      const [s, mb] = [Number(m[1]), Math.round(Number(m[2]) / 1024)];
      console.log(`cli ${args.slice(0, 2).join(' ')}: ${s.toFixed(2)} s, peak RSS ${mb} MB`);
      seconds += s;
      peakMb = Math.max(peakMb, mb);
    }
    console.log(`cli import + generate (province scale, from .xlsx): ${seconds.toFixed(2)} s, peak RSS ${peakMb} MB`);
  } finally {
    await dropDatabase(db.toString());
    await rm(dir, { recursive: true });
  }
}

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
