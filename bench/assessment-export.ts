// Province-scale assessment export (issue 5): 1,000 units × 15 people, a year of obligations, two thirds
// of what is due by late November done (one in five of those late) each with a report. Seeded in this
// process; the export then runs as an operator runs it, `npm run cli -- export assessment`, in a child
// process under /usr/bin/time, so its time and peak RSS are the export's own (the seeding is not in them).
// Needs PostgreSQL (DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/test); makes and drops
// its own database.
// Run: npx tsx bench/assessment-export.ts
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import ExcelJS from 'exceljs';
import { createPrisma } from '../src/db/client.js';
import { applyMigrations, dropDatabase, ensureDatabase } from '../src/db/migrate.js';
import { parseRoster } from '../src/domain/roster/roster.js';
import { sheetFromArrays } from '../src/domain/roster/table.js';
import { importRoster } from '../src/import/roster-import.js';
import { generateObligations } from '../src/obligations/generate.js';
import { loadDomainConfig } from '../src/ops/domain-config.js';
import { provinceRoster } from './province-roster.js';

const secs = (t0: number) => `${((performance.now() - t0) / 1000).toFixed(2)} s`;
const NOW = '2026-11-25T10:00:00+08:00';

async function seed(url: string): Promise<void> {
  const prisma = createPrisma(url);
  try {
    let t0 = performance.now();
    const parsed = parseRoster(Object.entries(provinceRoster(1)).map(([n, rows]) => sheetFromArrays(n, rows)));
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems.slice(0, 5)));
    await importRoster(prisma, parsed.value, { now: new Date('2026-01-05T00:00:00Z') });
    const gen = await generateObligations(prisma, { year: 2026, now: new Date('2026-01-05T00:00:00Z'), catalog: loadDomainConfig().catalog.current });
    console.log(`seed: roster + ${gen.created} obligations in ${secs(t0)}`);

    // Set-based: two thirds of what is due by now done, one in five of those late; one report each.
    t0 = performance.now();
    const done = await prisma.$executeRawUnsafe(
      `UPDATE "Obligation" SET status = 'DONE', "doneCount" = "requiredCount", late = (id % 5 = 0),
         "completedAt" = CASE WHEN id % 5 = 0 THEN "dueAt" + interval '3 days' ELSE "dueAt" - interval '2 days' END
       WHERE "dueAt" <= $1::timestamptz AND id % 3 <> 0`,
      new Date(NOW).toISOString(),
    );
    const reports = await prisma.$executeRawUnsafe(
      `INSERT INTO "Report" ("obligationId", "personId", "sourceKey", text, fields, late, "createdAt")
       SELECT o.id, COALESCE(o."personId", (SELECT min(p.id) FROM "Person" p WHERE p."unitId" = o."unitId")),
              'bench:' || o.id, '已完成', jsonb_build_object('place', '第' || o."unitId" || '村', 'summary', '按要求完成'), o.late, o."completedAt"
       FROM "Obligation" o WHERE o.status = 'DONE'`,
    );
    console.log(`records: ${done} obligations done, ${reports} reports in ${secs(t0)}`);
  } finally {
    await prisma.$disconnect();
  }
}

/** Data rows of each sheet (header left out), read back with exceljs' streaming reader. */
async function rowsPerSheet(file: string): Promise<string> {
  const out: string[] = [];
  for await (const ws of new ExcelJS.stream.xlsx.WorkbookReader(file, { worksheets: 'emit', sharedStrings: 'cache', styles: 'ignore', hyperlinks: 'ignore' })) {
    let n = 0;
    for await (const _row of ws as AsyncIterable<unknown>) n++;
    out.push(`${(ws as unknown as { name: string }).name} ${n - 1}`);
  }
  return out.join('，');
}

/** `npm run cli -- export assessment` under GNU time: elapsed seconds, and the peak RSS of the largest process of the tree npm → tsx → node. */
async function exportInChild(url: string, dir: string, year: number): Promise<{ seconds: number; peakMb: number; file: string; stdout: string }> {
  const file = path.join(dir, `assessment-${year}.xlsx`);
  const timeFile = path.join(dir, `time-${year}.txt`);
  const { stdout } = await promisify(execFile)(
    '/usr/bin/time',
    ['-f', '%e %M', '-o', timeFile, 'npm', 'run', '--silent', 'cli', '--', 'export', 'assessment', '--year', String(year), '--now', NOW, '--out', file],
    { cwd: path.resolve(import.meta.dirname, '..'), env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'warn' } },
  );
  const [seconds, maxKb] = (await readFile(timeFile, 'utf8')).trim().split(/\s+/).slice(-2).map(Number);
  return { seconds: seconds!, peakMb: Math.round(maxKb! / 1024), file, stdout: stdout.trim() };
}

async function main(): Promise<void> {
  const server = new URL(process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test');
  server.pathname = `/bench_export_${Date.now().toString(36)}`;
  const url = server.toString();
  await ensureDatabase(url);
  await applyMigrations(url);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'export-bench-'));
  try {
    await seed(url);
    // The same command for a year with nothing due first: the floor of the CLI process (runtime,
    // Prisma, the unit and secretary rows), so the delta is what the year's data costs.
    const empty = await exportInChild(url, dir, 2030);
    const run = await exportInChild(url, dir, 2026);
    console.log(`cli: ${run.stdout}`);
    console.log(
      `export 2026 (child process): ${run.seconds.toFixed(2)} s, peak RSS ${run.peakMb} MB ` +
        `(empty year: ${empty.seconds.toFixed(2)} s, ${empty.peakMb} MB; delta ${run.peakMb - empty.peakMb} MB), ` +
        `file ${((await stat(run.file)).size / 1048576).toFixed(2)} MB; rows: ${await rowsPerSheet(run.file)}`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
    await dropDatabase(url);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
