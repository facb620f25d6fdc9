// A notice to 2,000 recipients survives its worker being killed (SIGKILL) mid-broadcast, while sends are
// in flight: a new worker finishes it and every recipient has exactly one card. Real PostgreSQL, Redis
// and the Lark sandbox (its rate limit scaled up so this runs in seconds); the worker is a child process
// (test/helpers/reminder-worker.ts).
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { startApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';
import { confirmNotice } from '../../src/notices/service.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { quiet, sandboxBotEnv, until } from '../helpers/bot.js';
import { startChildWorker } from '../helpers/child-worker.js';
import { freshDatabase, type FreshDatabase } from '../helpers/db.js';

const N = 2000;
const PER_UNIT = 50;
const RATE = 1000; // the sandbox's per-app limit (Lark's is 50/s); the worker's pacer keeps the 48/50 headroom
const NOW = new Date('2026-11-25T10:00:00+08:00');
const TITLE = '关于开展党建责任制专项检查的通知';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => {});
});

/** A worker in a child process (test/helpers/reminder-worker.ts) with `concurrency` jobs at a time. */
async function childWorker(sandbox: Sandbox, db: FreshDatabase, queueName: string, concurrency: number): Promise<ChildProcess> {
  const child = await startChildWorker({
    DATABASE_URL: db.url,
    QUEUE: queueName,
    LARK_DOMAIN: sandbox.baseUrl,
    LARK_APP_ID: sandbox.appId,
    LARK_APP_SECRET: sandbox.appSecret,
    CLOCK: NOW.toISOString(),
    WORKER_CONCURRENCY: String(concurrency),
    LARK_APP_PER_SECOND: String((RATE * 48) / 50),
  });
  cleanups.push(async () => void child.kill('SIGKILL'));
  return child;
}

describe('a notice broadcast survives its worker being killed', () => {
  it(`reliability §7.12: ${N} recipients, the worker SIGKILLed after some hundreds are sent: a new worker finishes, one card each`, async () => {
    const users = Array.from({ length: N + 1 }, (_, i) => ({ openId: `ou_nk_${i}`, name: `人员${i}` }));
    const sandbox = await startSandbox({ port: 0, delivery: { mode: 'none' }, users, rateLimit: { appPerSecond: RATE, perTargetPerSecond: 5 } });
    cleanups.push(() => sandbox.close());
    const db = await freshDatabase('notice_kill');
    cleanups.push(() => db.drop());
    // Person 0 is the OD sender; people 1..N in units of PER_UNIT are the recipients (set-based, as bench/notice-broadcast.ts).
    await db.prisma.$executeRawUnsafe(`INSERT INTO "Unit" (id, code, name, kind, "updatedAt") VALUES (1000000, 'OD', '区委组织部', 'OD', now())`);
    await db.prisma.$executeRawUnsafe(
      `INSERT INTO "Unit" (id, code, name, kind, "updatedAt") SELECT u, 'U' || u, '第' || u || '单位', 'TOWN', now() FROM generate_series(1, ${N / PER_UNIT}) u`,
    );
    await db.prisma.$executeRawUnsafe(
      `INSERT INTO "Person" (id, code, name, "unitId", role, "larkOpenId", "updatedAt") VALUES (1000000, 'P0', '组织部', 1000000, 'OD_STAFF', 'ou_nk_0', now())`,
    );
    await db.prisma.$executeRawUnsafe(`
      INSERT INTO "Person" (id, code, name, "unitId", role, "larkOpenId", "updatedAt")
      SELECT p, 'P' || p, '人员' || p, (p - 1) / ${PER_UNIT} + 1, 'MEMBER', 'ou_nk_' || p, now() FROM generate_series(1, ${N}) p`);
    const notice = await db.prisma.notice.create({
      data: { title: TITLE, body: '请各单位于12月5日前完成自查。', createdById: 1000000, audience: { scope: 'ALL', role: 'ANY' }, ackRequired: true },
    });
    await db.prisma.$executeRawUnsafe(`INSERT INTO "NoticeRecipient" ("noticeId", "personId", "updatedAt") SELECT ${notice.id}, p, now() FROM generate_series(1, ${N}) p`);

    const queueName = `notice-kill-${randomBytes(4).toString('hex')}`;
    const config = loadConfig({ ...sandboxBotEnv(sandbox, db.url), PORT: '0' });
    // This app only confirms (enqueues); the sending is the child's.
    const app = await startApp({ config, databaseUrl: db.url, log: silentLogger, clock: () => NOW, queueName, worker: false, intake: false, reminderCron: false, schedulers: false });
    cleanups.push(() => app.close(2000));
    expect((await confirmNotice(app.deps, notice.id)).queued).toBe(N);

    const creates = () => sandbox.stats().requests['im.v1.message.create'] ?? 0;
    const first = await childWorker(sandbox, db, queueName, 32);
    await until('400 cards to be sent', () => sandbox.sent().length >= 400, 30_000, 20);
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));
    const sentAtKill = sandbox.sent().length;
    const sentRows = await db.prisma.noticeRecipient.count({ where: { noticeId: notice.id, status: 'SENT' } });
    expect(sentAtKill).toBeGreaterThanOrEqual(400);
    expect(sentAtKill).toBeLessThan(N); // killed in the middle
    expect(sentRows).toBeLessThan(sentAtKill); // sends were in flight: posted by Lark, not yet recorded by the bot

    const second = await childWorker(sandbox, db, queueName, 32);
    // Done when every row is SENT; failed only when the count stops moving (a busy machine is slow, not wrong).
    let sent = -1;
    let movedAt = Date.now();
    await until(
      'every card to be recorded as sent',
      async () => {
        const now = await db.prisma.noticeRecipient.count({ where: { noticeId: notice.id, status: 'SENT' } });
        if (now !== sent) [sent, movedAt] = [now, Date.now()];
        if (Date.now() - movedAt > 20_000) throw new Error(`the second worker stopped at ${sent} of ${N} sent`);
        return now === N;
      },
      170_000,
    );
    // Nothing more is sent once every row is recorded: the queue holds no job waiting, running or retrying.
    await quiet({ queue: app.deps.queue.queue, db: db.prisma }, 20_000);
    second.kill('SIGKILL');

    const perUser = new Map<string, number>();
    for (const m of sandbox.sent()) if (m.kind === 'create' && JSON.stringify(m.content).includes(TITLE)) perUser.set(m.toOpenId!, (perUser.get(m.toOpenId!) ?? 0) + 1);
    const counts = users.slice(1).map((u) => perUser.get(u.openId) ?? 0);
    expect(counts.filter((c) => c !== 1)).toEqual([]);
    expect(perUser.has('ou_nk_0')).toBe(false);
    expect(sandbox.sent()).toHaveLength(N);
    // Any uuid Lark saw twice is a re-send of a card posted before the kill, answered with the first message.
    const stats = sandbox.stats();
    expect(stats.duplicateUuids).toBeLessThanOrEqual(creates() - N);
    expect(await db.prisma.noticeRecipient.count({ where: { noticeId: notice.id, status: { not: 'SENT' } } })).toBe(0);
    const rows = await db.prisma.noticeRecipient.findMany({ where: { noticeId: notice.id }, select: { messageId: true } });
    expect(new Set(rows.map((r) => r.messageId)).size).toBe(N);
  }, 240_000);
});
