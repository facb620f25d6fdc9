// The reminder planner's tick with 1,000,000 obligations (and their 4,000,000 Reminder rows) in
// the database. Prints figures; it is not a test.
//
//   npx tsx bench/reminder-tick.ts [--obligations 1000000] [--due-every 4] [--keep] [--reuse <database url kept before>]
//
// Needs PostgreSQL (DATABASE_URL's server, default postgresql://postgres@127.0.0.1:5432/test; a
// fresh database, dropped at the end unless --keep) and Redis (REDIS_URL, default
// redis://127.0.0.1:6379) for the enqueue figure.
//
// Data (bulk SQL, INSERT … SELECT generate_series): 1,000 units × 15 people + the OD; obligations
// due at the 96 month ends 2020-01 … 2027-12, spread over the people; past ones DONE except 1 %
// left OPEN (overdue); four Reminder rows each (before-5, before-1, overdue, escalate), SENT when
// their day is past, PENDING otherwise. The tick runs on Monday 2026-11-23 10:00, when the
// before-5 reminders of every `due-every`-th obligation due 2026-11-30 are due (the rest of that
// month's are set for the next day, so the size of "today" can be chosen).
//
// Figures: the tick with reminders due (claims a digest per recipient; median of 5, the claims
// undone between runs), an idle tick (everything already claimed: the common case every 5
// minutes; median and p95 of 20), the enqueue of one job per digest, and the query plan of the
// due-reminder read.
import { randomBytes } from 'node:crypto';
import { createPrisma } from '../src/db/client.js';
import { applyMigrations, dropDatabase, ensureDatabase } from '../src/db/migrate.js';
import { redisBackend } from '../src/jobs/backend.js';
import { JobQueue } from '../src/jobs/queue.js';
import { loadConfig } from '../src/config.js';
import { silentLogger } from '../src/logger.js';
import { loadDomainConfig } from '../src/ops/domain-config.js';
import { enqueueDigests, reminderTick } from '../src/reminders/tick.js';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const N = arg('obligations', 1_000_000);
const DUE_EVERY = arg('due-every', 4);
const KEEP = process.argv.includes('--keep');
const UNITS = 1000;
const PER_UNIT = 15;
const PEOPLE = UNITS * PER_UNIT;
const NOW = new Date('2026-11-23T10:00:00+08:00');

const ms = (t0: number) => performance.now() - t0;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const f = (x: number) => `${x.toFixed(1)} ms`;

async function main(): Promise<void> {
  const server = new URL(process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test');
  server.pathname = `/bench_reminders_${Date.now().toString(36)}`;
  const reuse = process.argv.includes('--reuse') ? process.argv[process.argv.indexOf('--reuse') + 1] : undefined;
  const url = reuse ?? server.toString();
  if (!reuse) {
    await ensureDatabase(url);
    await applyMigrations(url);
  }
  const db = createPrisma(url);
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const backend = redisBackend(redisUrl);
  const queue = new JobQueue(backend, `bench-rem-${randomBytes(3).toString('hex')}`);
  try {
    let t0 = performance.now();
    if (!reuse) {
      await seed(db);
      console.log(`seeded ${N.toLocaleString('en')} obligations and their reminders in ${(ms(t0) / 1000).toFixed(1)} s`);
    }
    await undoClaims(db);
    const counts = await db.$queryRaw<{ status: string; n: bigint }[]>`SELECT status::text, count(*) AS n FROM "Reminder" GROUP BY 1 ORDER BY 1`;
    console.log(`reminders by status: ${counts.map((c) => `${c.status} ${Number(c.n).toLocaleString('en')}`).join(', ')}`);

    const { catalog, calendar } = loadDomainConfig();
    const config = loadConfig({ DATABASE_URL: url });
    const deps = { db, catalog, calendar, config, log: silentLogger };

    // The plan of the due read.
    const plan = await db.$queryRawUnsafe<{ 'QUERY PLAN': string }[]>(
      `EXPLAIN (ANALYZE, BUFFERS) SELECT id, "obligationId", stage, "recipientId", "sendOn" FROM "Reminder" WHERE status = 'PENDING' AND "sendOn" <= $1 ORDER BY "sendOn" LIMIT 100000`,
      new Date('2026-11-22T16:00:00Z'),
    );
    console.log('due-reminder read:\n' + plan.map((r) => `  ${r['QUERY PLAN']}`).join('\n'));

    // Ticks with reminders due: undo the claims between runs.
    const dueRuns: number[] = [];
    let last;
    for (let i = 0; i < 5; i++) {
      await undoClaims(db);
      t0 = performance.now();
      last = await reminderTick(deps, { now: NOW });
      dueRuns.push(ms(t0));
    }
    const items = await db.reminder.count({ where: { status: 'CLAIMED' } });
    console.log(
      `tick with reminders due: ${items.toLocaleString('en')} reminders claimed into ${last!.digests.length.toLocaleString('en')} digests ` +
        `(${last!.digests.filter((d) => d.kind === 'od').length} OD): median ${f(median(dueRuns))} (runs: ${dueRuns.map((x) => x.toFixed(0)).join(', ')} ms)`,
    );

    t0 = performance.now();
    await enqueueDigests(queue, last!.digests);
    console.log(`enqueue ${last!.digests.length.toLocaleString('en')} send jobs (addBulk): ${f(ms(t0))}`);

    const idle: number[] = [];
    for (let i = 0; i < 20; i++) {
      t0 = performance.now();
      await reminderTick(deps, { now: new Date(NOW.getTime() + 60_000) });
      idle.push(ms(t0));
    }
    console.log(`idle tick (nothing new due): median ${f(median(idle))}, p95 ${f(pct(idle, 95))}`);

    const dry: number[] = [];
    for (let i = 0; i < 3; i++) {
      await undoClaims(db);
      t0 = performance.now();
      await reminderTick(deps, { now: NOW, dryRun: true, describe: true });
      dry.push(ms(t0));
    }
    console.log(`dry run of the same tick with descriptions (CLI tick --dry-run): median ${f(median(dry))}`);
  } finally {
    await queue.queue.obliterate({ force: true }).catch(() => {});
    await queue.close();
    await backend.close();
    await db.$disconnect();
    if (!KEEP && !reuse) await dropDatabase(url);
    else console.log(`kept ${url}`);
  }
}

async function undoClaims(db: ReturnType<typeof createPrisma>): Promise<void> {
  await db.$executeRaw`UPDATE "Reminder" SET status = 'PENDING', "digestId" = NULL, "claimedAt" = NULL WHERE "digestId" IS NOT NULL AND status = 'CLAIMED'`;
  await db.$executeRaw`DELETE FROM "ReminderDigest" WHERE status = 'CLAIMED'`;
}

async function seed(db: ReturnType<typeof createPrisma>): Promise<void> {
  await db.$executeRawUnsafe(`
    INSERT INTO "Unit" (id, code, name, kind, "updatedAt")
    SELECT u, 'U' || u, '第' || u || '镇党委', 'TOWN', now() FROM generate_series(1, ${UNITS}) u`);
  await db.$executeRawUnsafe(`INSERT INTO "Unit" (id, code, name, kind, "updatedAt") VALUES (${UNITS + 1}, 'OD', '区委组织部', 'OD', now())`);
  // Person ids 1..PEOPLE: the first of each unit is the secretary, then deputy, members, and the last 3 staff.
  await db.$executeRawUnsafe(`
    INSERT INTO "Person" (id, code, name, "unitId", role, "larkOpenId", "updatedAt")
    SELECT p, 'P' || p, '人员' || p, (p - 1) / ${PER_UNIT} + 1,
      (CASE (p - 1) % ${PER_UNIT} WHEN 0 THEN 'SECRETARY' WHEN 1 THEN 'DEPUTY' WHEN 12 THEN 'STAFF' WHEN 13 THEN 'STAFF' WHEN 14 THEN 'STAFF' ELSE 'MEMBER' END)::"Role",
      'ou_bench_' || p, now()
    FROM generate_series(1, ${PEOPLE}) p`);
  await db.$executeRawUnsafe(`
    INSERT INTO "Person" (id, code, name, "unitId", role, "larkOpenId", "updatedAt")
    SELECT ${PEOPLE} + k, 'OD' || k, '组织部' || k, ${UNITS + 1}, 'OD_STAFF', 'ou_bench_od_' || k, now() FROM generate_series(1, 5) k`);
  await db.$executeRawUnsafe(`SELECT setval(pg_get_serial_sequence('"Unit"', 'id'), ${UNITS + 1}), setval(pg_get_serial_sequence('"Person"', 'id'), ${PEOPLE + 5})`);

  // Obligation g: month m = g % 96 from 2020-01, due at that month's last instant (Beijing), owed by person (g % PEOPLE) + 1.
  await db.$executeRawUnsafe(`
    INSERT INTO "Obligation" (id, "ruleCode", "ownerKey", "unitId", "personId", "periodKey", "subjectKey", title, "periodStart", "dueAt",
                              status, "doneCount", "remindersPlannedAt", "updatedAt")
    SELECT g, 'LIAISON_VISIT_LEADER', 'p' || pid, (pid - 1) / ${PER_UNIT} + 1, pid, to_char(ms, 'YYYY-MM'), 'bench:' || g,
           to_char(ms, 'YYYY"年"FMMM"月"') || ' 深入基层联系点具体指导', ms - interval '8 hours', me - interval '8 hours' - interval '1 millisecond',
           (CASE WHEN me <= date '2026-11-01' AND g % 100 <> 0 THEN 'DONE' ELSE 'OPEN' END)::"ObligationStatus",
           CASE WHEN me <= date '2026-11-01' AND g % 100 <> 0 THEN 1 ELSE 0 END, now(), now()
    FROM (SELECT g, (g % ${PEOPLE}) + 1 AS pid, date '2020-01-01' + make_interval(months => g % 96) AS ms,
                 date '2020-01-01' + make_interval(months => g % 96 + 1) AS me
          FROM generate_series(1, ${N}) g) s`);
  await db.$executeRawUnsafe(`SELECT setval(pg_get_serial_sequence('"Obligation"', 'id'), ${N})`);

  // Four reminders each; past days SENT (with a message id), the rest PENDING. Before-5 of
  // November 2026's obligations falls today (2026-11-23) for every DUE_EVERY-th one, else tomorrow.
  await db.$executeRawUnsafe(`
    INSERT INTO "Reminder" ("obligationId", stage, "recipientId", "sendOn", status, "sentAt", "messageId")
    SELECT o.id, st.stage, CASE WHEN st.stage = 'escalate' THEN ((o."personId" - 1) / ${PER_UNIT}) * ${PER_UNIT} + 1 ELSE o."personId" END, d.send_on,
           (CASE WHEN d.send_on < timestamp '2026-11-22 16:00' THEN 'SENT' ELSE 'PENDING' END)::"ReminderStatus",
           CASE WHEN d.send_on < timestamp '2026-11-22 16:00' THEN d.send_on + interval '2 hours' END,
           CASE WHEN d.send_on < timestamp '2026-11-22 16:00' THEN 'om_bench_' || o.id || '_' || st.stage END
    FROM "Obligation" o
    CROSS JOIN (VALUES ('before-5', -7), ('before-1', -3), ('overdue', 1), ('escalate', 3)) AS st(stage, days)
    CROSS JOIN LATERAL (SELECT CASE
        WHEN st.stage = 'before-5' AND to_char(o."dueAt" + interval '8 hours', 'YYYY-MM') = '2026-11'
          THEN CASE WHEN (o.id / 96) % ${DUE_EVERY} = 0 THEN timestamp '2026-11-22 16:00' ELSE timestamp '2026-11-23 16:00' END
        ELSE date_trunc('day', o."dueAt" + interval '8 hours') - interval '8 hours' + make_interval(days => st.days) END AS send_on) d
    WHERE st.stage <> 'escalate' OR ((o."personId" - 1) % ${PER_UNIT}) <> 0`);
  await db.$executeRawUnsafe(`VACUUM ANALYZE "Reminder"`);
  await db.$executeRawUnsafe(`VACUUM ANALYZE "Obligation"`);
  await db.$executeRawUnsafe(`ANALYZE "Person"`);
}

void main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
