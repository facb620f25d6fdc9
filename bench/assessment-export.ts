// Province-scale assessment export timing (issue 5): 1,000 units × 15 people, a year of obligations, two
// thirds of what is due by late November done (one in five of those late) each with a report, then
// buildAssessmentWorkbook + writing the .xlsx. Needs PostgreSQL (DATABASE_URL, default
// postgresql://postgres@127.0.0.1:5432/test); makes and drops its own database.
// Run: npx tsx bench/assessment-export.ts
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createPrisma } from '../src/db/client.js';
import { applyMigrations, dropDatabase, ensureDatabase } from '../src/db/migrate.js';
import { parseRoster } from '../src/domain/roster/roster.js';
import { sheetFromArrays } from '../src/domain/roster/table.js';
import { buildAssessmentWorkbook } from '../src/export/assessment.js';
import { importRoster } from '../src/import/roster-import.js';
import { generateObligations } from '../src/obligations/generate.js';
import { provinceRoster } from './province-roster.js';
import { loadDomainConfig } from '../src/ops/domain-config.js';

const secs = (t0: number) => `${((performance.now() - t0) / 1000).toFixed(2)} s`;

async function main(): Promise<void> {
  const server = new URL(process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test');
  server.pathname = `/bench_export_${Date.now().toString(36)}`;
  const url = server.toString();
  await ensureDatabase(url);
  await applyMigrations(url);
  const prisma = createPrisma(url);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'export-bench-'));
  try {
    const now = new Date('2026-11-25T10:00:00+08:00');
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
      now.toISOString(),
    );
    const reports = await prisma.$executeRawUnsafe(
      `INSERT INTO "Report" ("obligationId", "personId", "sourceKey", text, fields, late, "createdAt")
       SELECT o.id, COALESCE(o."personId", (SELECT min(p.id) FROM "Person" p WHERE p."unitId" = o."unitId")),
              'bench:' || o.id, '已完成', jsonb_build_object('place', '第' || o."unitId" || '村', 'summary', '按要求完成'), o.late, o."completedAt"
       FROM "Obligation" o WHERE o.status = 'DONE'`,
    );
    console.log(`records: ${done} obligations done, ${reports} reports in ${secs(t0)}`);

    t0 = performance.now();
    const wb = await buildAssessmentWorkbook(prisma, { year: 2026, now });
    const built = secs(t0);
    const file = path.join(dir, 'assessment.xlsx');
    await wb.xlsx.writeFile(file);
    const size = (await stat(file)).size;
    console.log(
      `export: workbook built in ${built}, written in ${secs(t0)} total (${(size / 1048576).toFixed(1)} MB; ` +
        wb.worksheets.map((w) => `${w.name} ${w.rowCount - 1}`).join('，') +
        `); peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
    await prisma.$disconnect();
    await dropDatabase(url);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
