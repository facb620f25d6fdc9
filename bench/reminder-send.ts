// Reminder send throughput against Lark's rate limit, through the sandbox (which answers 429 /
// 99991400 above `appPerSecond`, and 230020 above 5/s per user). Prints figures; not a test.
//
//   npx tsx bench/reminder-send.ts [--cards 1000] [--limit 50] [--instances 1] [--concurrency 16]
//
// Needs PostgreSQL (DATABASE_URL's server; a fresh database, dropped at the end) and Redis
// (REDIS_URL). `--cards` people each have one reminder due on Monday 2026-11-23; one tick claims a
// digest each, and the bot's workers (`--instances` app instances, each with its own pacer) send
// them. Throughput is measured between the first and the last card the sandbox accepted, and over
// the whole run (tick to the last digest marked SENT).
import { randomBytes } from 'node:crypto';
import { startApp, type App } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { silentLogger } from '../src/logger.js';
import { runReminderTick } from '../src/reminders/tick.js';
import { startSandbox } from '../src/sandbox/index.js';
import { freshDatabase } from '../test/helpers/db.js';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const CARDS = arg('cards', 1000);
const LIMIT = arg('limit', 50);
const INSTANCES = arg('instances', 1);
const CONCURRENCY = arg('concurrency', 16);
const NOW = new Date('2026-11-23T10:00:00+08:00');

async function main(): Promise<void> {
  const users = Array.from({ length: CARDS }, (_, i) => ({ openId: `ou_send_${i + 1}`, name: `书记${i + 1}` }));
  const sandbox = await startSandbox({ port: 0, delivery: { mode: 'none' }, users, rateLimit: { appPerSecond: LIMIT, perTargetPerSecond: 5 } });
  const db = await freshDatabase('bench_send');
  const apps: App[] = [];
  try {
    await db.prisma.$executeRawUnsafe(`
      INSERT INTO "Unit" (id, code, name, kind, "updatedAt") SELECT u, 'U' || u, '第' || u || '镇党委', 'TOWN', now() FROM generate_series(1, ${CARDS}) u`);
    await db.prisma.$executeRawUnsafe(`
      INSERT INTO "Person" (id, code, name, "unitId", role, "larkOpenId", "updatedAt")
      SELECT p, 'P' || p, '书记' || p, p, 'SECRETARY', 'ou_send_' || p, now() FROM generate_series(1, ${CARDS}) p`);
    await db.prisma.$executeRawUnsafe(`
      INSERT INTO "Obligation" (id, "ruleCode", "ownerKey", "unitId", "personId", "periodKey", title, "periodStart", "dueAt", "remindersPlannedAt", "updatedAt")
      SELECT p, 'LIAISON_VISIT_SECRETARY', 'p' || p, p, p, '2026-11', '2026年11月 到基层联系点检查指导',
             timestamp '2026-10-31 16:00', timestamp '2026-11-30 15:59:59.999', now(), now() FROM generate_series(1, ${CARDS}) p`);
    await db.prisma.$executeRawUnsafe(`
      INSERT INTO "Reminder" ("obligationId", stage, "recipientId", "sendOn") SELECT p, 'before-5', p, timestamp '2026-11-22 16:00' FROM generate_series(1, ${CARDS}) p`);

    const queueName = `bench-send-${randomBytes(3).toString('hex')}`;
    const config = loadConfig({
      LARK_APP_ID: sandbox.appId,
      LARK_APP_SECRET: sandbox.appSecret,
      LARK_DOMAIN: sandbox.baseUrl,
      LARK_EVENT_MODE: 'webhook',
      LARK_ENCRYPT_KEY: sandbox.encryptKey,
      DATABASE_URL: db.url,
      REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      PORT: '0',
    });
    for (let i = 0; i < INSTANCES; i++) {
      apps.push(await startApp({ config, databaseUrl: db.url, log: silentLogger, clock: () => NOW, queueName, intake: false, reminderCron: false, workerConcurrency: CONCURRENCY }));
    }

    const t0 = performance.now();
    const tick = await runReminderTick(apps[0]!.deps, { now: NOW });
    const tickMs = performance.now() - t0;
    for (;;) {
      const sent = await db.prisma.reminderDigest.count({ where: { status: { in: ['SENT', 'FAILED'] } } });
      if (sent >= tick.digests.length) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const totalS = (performance.now() - t0) / 1000;
    const cards = sandbox.sent().filter((m) => m.kind === 'create');
    const first = cards[0]!.at;
    const last = cards[cards.length - 1]!.at;
    const steady = (cards.length - 1) / ((last - first) / 1000);
    const stats = sandbox.stats();
    const failed = await db.prisma.reminderDigest.count({ where: { status: 'FAILED' } });
    console.log(`${CARDS} reminder cards, sandbox limit ${LIMIT}/s per app, ${INSTANCES} instance(s) × ${CONCURRENCY} workers`);
    console.log(`  tick (claim ${tick.digests.length} digests + enqueue): ${tickMs.toFixed(0)} ms`);
    console.log(`  first to last card: ${cards.length} in ${((last - first) / 1000).toFixed(2)} s = ${steady.toFixed(1)}/s (${((100 * steady) / LIMIT).toFixed(1)} % of the limit)`);
    console.log(`  tick to last digest SENT: ${totalS.toFixed(2)} s = ${(CARDS / totalS).toFixed(1)}/s (${((100 * CARDS) / totalS / LIMIT).toFixed(1)} %)`);
    console.log(`  rate-limited answers (429/99991400 + 230020): ${stats.rateLimited}; duplicate uuids: ${stats.duplicateUuids}; failed: ${failed}`);
    console.log(`  create calls: ${stats.requests['im.v1.message.create'] ?? 0}`);
  } finally {
    for (const a of apps) await a.close(2000);
    await sandbox.close();
    await db.drop();
  }
}

void main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
