// One notice to many recipients against Lark's per-app limit, through the sandbox (which answers 429 /
// 99991400 above `appPerSecond`). Prints figures; not a test.
//
//   npx tsx bench/notice-broadcast.ts [--recipients 10000] [--rate 200] [--concurrency 64]
//
// Needs PostgreSQL (DATABASE_URL's server; a fresh database, dropped at the end) and Redis (REDIS_URL).
// Lark allows 50 sends/s per app; `--rate` scales the sandbox's limit for a shorter run and the bot's
// pacer with it (the same 48/50 headroom as LARK_LIMITS), and the figure is reported against the
// scaled limit: time from 确认发送 (confirmNotice) to the last recipient SENT ÷ (recipients ÷ rate),
// target ≤ 1.1. Duplicates: the sandbox's repeated uuids and users who got the card more than once;
// lost: recipients without a card.
import { randomBytes } from 'node:crypto';
import { startApp, type App } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { LARK_LIMITS } from '../src/lark/pacer.js';
import { silentLogger } from '../src/logger.js';
import { confirmNotice } from '../src/notices/service.js';
import { startSandbox } from '../src/sandbox/index.js';
import { freshDatabase } from '../test/helpers/db.js';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const N = arg('recipients', 10_000);
const RATE = arg('rate', 200);
const CONCURRENCY = arg('concurrency', 64);
const PER_UNIT = 50;
const NOW = new Date('2026-11-25T10:00:00+08:00');
const TITLE = '关于开展党建责任制专项检查的通知';

async function main(): Promise<void> {
  const users = Array.from({ length: N + 1 }, (_, i) => ({ openId: `ou_nb_${i}`, name: `人员${i}` }));
  const sandbox = await startSandbox({ port: 0, delivery: { mode: 'none' }, users, rateLimit: { appPerSecond: RATE, perTargetPerSecond: 5 } });
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
    const larkLimits = { ...LARK_LIMITS, appPerSecond: (RATE * LARK_LIMITS.appPerSecond) / 50 };
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
    const ideal = N / RATE;
    const cards = sandbox.sent().filter((m) => m.kind === 'create' && JSON.stringify(m.content).includes(TITLE));
    const perUser = new Map<string, number>();
    for (const c of cards) perUser.set(c.toOpenId!, (perUser.get(c.toOpenId!) ?? 0) + 1);
    const twice = [...perUser.values()].filter((n) => n > 1).length;
    const lost = users.slice(1).filter((u) => !perUser.has(u.openId)).length;
    const stats = sandbox.stats();
    const failed = await db.prisma.noticeRecipient.count({ where: { noticeId: notice.id, status: 'FAILED' } });
    console.log(`${N} recipients, sandbox limit ${RATE}/s per app (Lark: 50/s), pacer ${larkLimits.appPerSecond}/s, ${CONCURRENCY} workers`);
    console.log(`  confirm (flip + enqueue ${confirm.queued} jobs): ${enqueueMs.toFixed(0)} ms`);
    console.log(`  confirm to last recipient SENT: ${seconds.toFixed(2)} s; ideal ${ideal.toFixed(2)} s; ratio ${(seconds / ideal).toFixed(3)} (target ≤ 1.1)`);
    console.log(`  cards: ${cards.length}; duplicate uuids: ${stats.duplicateUuids}; users with >1 card: ${twice}; lost: ${lost}; failed: ${failed}`);
    console.log(`  rate-limited answers: ${stats.rateLimited}; create calls: ${stats.requests['im.v1.message.create'] ?? 0}`);
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
