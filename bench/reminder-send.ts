// Reminder send throughput against Lark's rate limits, through the sandbox (which answers 429 /
// 99991400 above 50/s or 1000/min per app and API, and 230020 above 5/s per user). Prints figures; not a test.
//
//   npx tsx bench/reminder-send.ts [--cards 1000] [--scale 1] [--instances 1] [--concurrency 16]
//
// Needs PostgreSQL (DATABASE_URL's server; a fresh database, dropped at the end) and Redis
// (REDIS_URL). `--cards` people each have one reminder due on Monday 2026-11-23; one tick claims a
// digest each, and the bot's workers (`--instances` app instances, each with its own pacer) send
// them. `--scale k` multiplies the sandbox's limits (50k/s, 1000k/min) and the pacer's (48k/s,
// 985k/min) by k; with k = 1 the pacer is the one `startApp` builds from the configuration. The time
// from the tick to the last digest SENT is compared with the floor, the least time any schedule
// allowed by both windows needs for N sends at S/s and M/min:
//   N ≤ M: N / S;  else (ceil(N / M) − 1) × 60 s + (N − (ceil(N / M) − 1) × M) / S.
import { randomBytes } from 'node:crypto';
import { startApp, type App } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { silentLogger } from '../src/logger.js';
import { runReminderTick } from '../src/reminders/tick.js';
import { startSandbox } from '../src/sandbox/index.js';
import { sandboxBotEnv } from '../test/helpers/bot.js';
import { freshDatabase } from '../test/helpers/db.js';
import { floorSeconds, maxInWindow, scaledLarkLimits, seedOneReminderEach } from './common.js';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const CARDS = arg('cards', 1000);
const SCALE = arg('scale', 1);
const LIMIT = 50 * SCALE;
const PER_MINUTE = 1000 * SCALE;
const INSTANCES = arg('instances', 1);
const CONCURRENCY = arg('concurrency', 16);
const NOW = new Date('2026-11-23T10:00:00+08:00');


async function main(): Promise<void> {
  const users = Array.from({ length: CARDS }, (_, i) => ({ openId: `ou_send_${i + 1}`, name: `书记${i + 1}` }));
  const sandbox = await startSandbox({ port: 0, delivery: { mode: 'none' }, users, rateLimit: { appPerSecond: LIMIT, appPerMinute: PER_MINUTE, perTargetPerSecond: 5 } });
  const db = await freshDatabase('bench_send');
  const apps: App[] = [];
  try {
    await seedOneReminderEach(db.prisma, CARDS, 'ou_send_');

    const queueName = `bench-send-${randomBytes(3).toString('hex')}`;
    const config = loadConfig({ ...sandboxBotEnv(sandbox, db.url), PORT: '0' });
    for (let i = 0; i < INSTANCES; i++) {
      apps.push(await startApp({ config, databaseUrl: db.url, log: silentLogger, clock: () => NOW, queueName, intake: false, reminderCron: false, workerConcurrency: CONCURRENCY, larkLimits: scaledLarkLimits(SCALE) }));
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
    const stats = sandbox.stats();
    const failed = await db.prisma.reminderDigest.count({ where: { status: 'FAILED' } });
    const perUser = new Map<string, number>();
    for (const c of cards) perUser.set(c.toOpenId!, (perUser.get(c.toOpenId!) ?? 0) + 1);
    const twice = [...perUser.values()].filter((n) => n > 1).length;
    const lost = users.filter((u) => !perUser.has(u.openId)).length;
    const floor = floorSeconds(CARDS, LIMIT, PER_MINUTE);
    const at = cards.map((c) => c.at).sort((a, b) => a - b);
    const maxIn = (ms: number) => maxInWindow(at, ms);
    console.log(`${CARDS} reminder cards, sandbox limits ${LIMIT}/s & ${PER_MINUTE}/min per app, ${INSTANCES} instance(s) × ${CONCURRENCY} workers`);
    console.log(`  tick (claim ${tick.digests.length} digests + enqueue): ${tickMs.toFixed(0)} ms`);
    console.log(`  first to last card: ${cards.length} in ${((last - first) / 1000).toFixed(2)} s`);
    console.log(
      `  floor = N ≤ M ? N/S : (ceil(N/M) − 1) × 60 s + (N − (ceil(N/M) − 1) × M)/S with N=${CARDS}, S=${LIMIT}/s, M=${PER_MINUTE}/min: ${floor.toFixed(2)} s`,
    );
    console.log(`  tick to last digest SENT: ${totalS.toFixed(2)} s; ratio ${(totalS / floor).toFixed(3)} to the floor`);
    console.log(`  duplicate uuids: ${stats.duplicateUuids}; users with >1 card: ${twice}; lost: ${lost}; failed: ${failed}`);
    console.log(
      `  429/99991400 answers: ${stats.appRateLimited}; 230020: ${stats.rateLimited - stats.appRateLimited}; create calls: ${stats.requests['im.v1.message.create'] ?? 0}; ` +
        `most cards accepted in any 1 s: ${maxIn(1000)}, in any 60 s: ${maxIn(60_000)}`,
    );
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
