// One notice to many recipients against Lark's per-app limits, through the sandbox (which answers 429 /
// 99991400 above 50/s or above 1000/min per app and API, sliding windows). Prints figures; not a test.
//
//   npx tsx bench/notice-broadcast.ts [--recipients 10000] [--scale 4] [--concurrency 64] [--no-minute-pacing]
//
// Needs PostgreSQL (DATABASE_URL's server; a fresh database, dropped at the end) and Redis (REDIS_URL).
// Lark allows 50 sends/s AND 1000/min per app: 10,000 take at least 9 min 20 s. `--scale k` multiplies
// both of the sandbox's limits by k (50k/s, 1000k/min) and the bot's pacer with them (LARK_LIMITS × k:
// 48k/s, 985k/min, 2 % of it kept for answers), and the figure is reported against the scaled limits:
// time from 确认发送 (confirmNotice) to the last recipient SENT ÷ the floor, target ≤ 1.1. The floor is
// the least time any schedule allowed by both windows needs for N sends at S/s and M/min:
//   N ≤ M: N / S;  else (ceil(N / M) − 1) × 60 s + (N − (ceil(N / M) − 1) × M) / S
// (each full minute's M go out at S/s, the next minute's start 60 s after; never below N / S).
// `--no-minute-pacing` runs the pacer without its per-minute limit (as before this limit was paced).
// Duplicates: the sandbox's repeated uuids and users who got the card more than once; lost: recipients
// without a card; 429s: the sandbox's 99991400 answers.
import { randomBytes } from 'node:crypto';
import { startApp, type App } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { silentLogger } from '../src/logger.js';
import { confirmNotice } from '../src/notices/service.js';
import { startSandbox } from '../src/sandbox/index.js';
import { sandboxBotEnv } from '../test/helpers/bot.js';
import { freshDatabase } from '../test/helpers/db.js';
import { floorSeconds, maxInWindow, scaledLarkLimits } from './common.js';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const N = arg('recipients', 10_000);
const SCALE = arg('scale', 4);
const RATE = 50 * SCALE; // Lark: 50/s per app
const PER_MINUTE = 1000 * SCALE; // Lark: 1000/min per app
const CONCURRENCY = arg('concurrency', 64);
const MINUTE_PACING = !process.argv.includes('--no-minute-pacing');

const PER_UNIT = 50;
const NOW = new Date('2026-11-25T10:00:00+08:00');
const TITLE = '关于开展党建责任制专项检查的通知';

async function main(): Promise<void> {
  const users = Array.from({ length: N + 1 }, (_, i) => ({ openId: `ou_nb_${i}`, name: `人员${i}` }));
  const sandbox = await startSandbox({ port: 0, delivery: { mode: 'none' }, users, rateLimit: { appPerSecond: RATE, appPerMinute: PER_MINUTE, perTargetPerSecond: 5 } });
  const db = await freshDatabase('bench_notice');
  const units = Math.ceil(N / PER_UNIT);
  let app: App | undefined;
  try {
    // Person 0 is the OD sender; people 1..N in units of PER_UNIT are the recipients.
    await db.prisma.$executeRawUnsafe(`INSERT INTO "Unit" (id, code, name, kind, "updatedAt") VALUES (1000000, 'OD', '区委组织部', 'OD', now())`);
    await db.prisma.$executeRawUnsafe(`
      INSERT INTO "Unit" (id, code, name, kind, "updatedAt") SELECT u, 'U' || u, '第' || u || '单位', 'TOWN', now() FROM generate_series(1, ${units}) u`);
    await db.prisma.$executeRawUnsafe(`
      INSERT INTO "Person" (id, code, name, "unitId", role, "larkOpenId", "updatedAt") VALUES (1000000, 'P0', '组织部', 1000000, 'OD_STAFF', 'ou_nb_0', now())`);
    await db.prisma.$executeRawUnsafe(`
      INSERT INTO "Person" (id, code, name, "unitId", role, "larkOpenId", "updatedAt")
      SELECT p, 'P' || p, '人员' || p, (p - 1) / ${PER_UNIT} + 1, 'MEMBER', 'ou_nb_' || p, now() FROM generate_series(1, ${N}) p`);
    const notice = await db.prisma.notice.create({ data: { title: TITLE, body: '请各单位于12月5日前完成自查。', createdById: 1000000, audience: { scope: 'ALL', role: 'ANY' }, ackRequired: true } });
    await db.prisma.$executeRawUnsafe(`INSERT INTO "NoticeRecipient" ("noticeId", "personId", "updatedAt") SELECT ${notice.id}, p, now() FROM generate_series(1, ${N}) p`);

    const config = loadConfig({ ...sandboxBotEnv(sandbox, db.url), PORT: '0' });
    const larkLimits = scaledLarkLimits(SCALE, MINUTE_PACING);
    app = await startApp({
      config,
      databaseUrl: db.url,
      log: silentLogger,
      clock: () => NOW,
      queueName: `bench-notice-${randomBytes(3).toString('hex')}`,
      intake: false,
      reminderCron: false,
      schedulers: false,
      workerConcurrency: CONCURRENCY,
      larkLimits,
    });

    const t0 = performance.now();
    const confirm = await confirmNotice(app.deps, notice.id);
    const enqueueMs = performance.now() - t0;
    for (;;) {
      const pending = await db.prisma.noticeRecipient.count({ where: { noticeId: notice.id, status: 'PENDING' } });
      if (pending === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const seconds = (performance.now() - t0) / 1000;
    const floor = floorSeconds(N, RATE, PER_MINUTE);
    const cards = sandbox.sent().filter((m) => m.kind === 'create' && JSON.stringify(m.content).includes(TITLE));
    const perUser = new Map<string, number>();
    for (const c of cards) perUser.set(c.toOpenId!, (perUser.get(c.toOpenId!) ?? 0) + 1);
    const twice = [...perUser.values()].filter((n) => n > 1).length;
    const lost = users.slice(1).filter((u) => !perUser.has(u.openId)).length;
    const stats = sandbox.stats();
    const failed = await db.prisma.noticeRecipient.count({ where: { noticeId: notice.id, status: 'FAILED' } });
    const at = cards.map((c) => c.at).sort((a, b) => a - b);
    const maxIn = (ms: number) => maxInWindow(at, ms);
    console.log(
      `${N} recipients; sandbox limits ${RATE}/s & ${PER_MINUTE}/min per app (Lark's 50/s & 1000/min × ${SCALE}); ` +
        `pacer ${larkLimits.appPerSecond}/s & ${larkLimits.appPerMinute ? `${larkLimits.appPerMinute}/min` : 'no per-minute limit'}; ${CONCURRENCY} workers`,
    );
    console.log(`  confirm (flip + enqueue ${confirm.queued} jobs): ${enqueueMs.toFixed(0)} ms`);
    // Runs of cards separated by pauses over 2 s (the per-minute window): when each started and ended, after the confirm.
    const startedAt = performance.timeOrigin + t0;
    const runs: string[] = [];
    for (let i = 0, j = 0; i < at.length; i = j) {
      for (j = i + 1; j < at.length && at[j]! - at[j - 1]! <= 2000; j++);
      runs.push(`${((at[i]! - startedAt) / 1000).toFixed(1)}–${((at[j - 1]! - startedAt) / 1000).toFixed(1)} s: ${j - i}`);
    }
    console.log(`  runs of cards: ${runs.join('; ')}`);
    console.log(
      `  floor = N ≤ M ? N/S : (ceil(N/M) − 1) × 60 s + (N − (ceil(N/M) − 1) × M)/S with N=${N}, S=${RATE}/s, M=${PER_MINUTE}/min: ${floor.toFixed(2)} s`,
    );
    console.log(`  confirm to last recipient SENT: ${seconds.toFixed(2)} s; ratio ${(seconds / floor).toFixed(3)} (target ≤ 1.1)`);
    console.log(`  cards: ${cards.length}; duplicate uuids: ${stats.duplicateUuids}; users with >1 card: ${twice}; lost: ${lost}; failed: ${failed}`);
    console.log(
      `  429/99991400 answers: ${stats.appRateLimited}; 230020: ${stats.rateLimited - stats.appRateLimited}; create calls: ${stats.requests['im.v1.message.create'] ?? 0}; ` +
        `most cards accepted in any 1 s: ${maxIn(1000)}, in any 60 s: ${maxIn(60_000)}`,
    );
  } finally {
    await app?.close(2000);
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
