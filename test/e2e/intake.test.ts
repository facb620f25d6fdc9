// The acknowledgement path under overload and across a crash, on real parts: PostgreSQL, Redis, the Lark
// sandbox delivering by webhook with its re-delivery schedule (shortened), the bot through startApp.
// Behaviour, not timings: an overloaded intake answers 503 (never leaves Lark to time out), Lark's
// re-delivery is then handled once; an event acknowledged is stored, so a process killed right after its
// answers loses nothing.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import readline from 'node:readline';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { startApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { JobQueue } from '../../src/jobs/queue.js';
import { redisBackend } from '../../src/jobs/backend.js';
import { silentLogger } from '../../src/logger.js';
import { startSandbox } from '../../src/sandbox/index.js';
import { messageEnvelope, redisUrl, sandboxBotEnv, signedRequest, startTestBot, until } from '../helpers/bot.js';
import { freshDatabase } from '../helpers/db.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => {});
});

const USERS = ['ou_sandbox_zhangsan', 'ou_sandbox_lisi', 'ou_sandbox_wangwu'];

describe('intake under overload', () => {
  it('answers 503 at once while events cannot be stored, and handles Lark’s re-delivery once', async () => {
    const log: string[] = [];
    const bot = await startTestBot({
      sandbox: { redeliverAfterMs: [500, 1000, 2000, 4000], log: (l) => log.push(l) },
      intakeLimits: { maxWaiting: 2, deadlineMs: 300 },
    });
    cleanups.push(() => bot.close());
    // PostgreSQL stalls: another session holds a lock that blocks every INSERT into InboundEvent.
    const locker = new pg.Client({ connectionString: bot.db.url });
    await locker.connect();
    cleanups.push(() => locker.end());
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE "InboundEvent" IN SHARE ROW EXCLUSIVE MODE');

    const ids = await Promise.all(USERS.map((from) => bot.sandbox.userSends({ from, text: '/帮助' })));
    // Every first delivery is refused with 503 while the lock is still held: two wait out the deadline,
    // the third finds two already waiting and is refused without waiting. None is left to time out.
    const refused = () => log.filter((l) => /not acked \(HTTP 503\)/.test(l));
    await until('a 503 for every first delivery', () => refused().length >= USERS.length, 30_000);
    expect(log.filter((l) => /not acked \(no answer/.test(l))).toEqual([]);
    expect(bot.sandbox.sent().filter((m) => ids.includes(m.parentId ?? ''))).toEqual([]);

    await locker.query('COMMIT');
    // The writes that were waiting land; the re-deliveries find them stored (200, duplicate) or store them.
    const replies = () => bot.sandbox.sent().filter((m) => m.parentId && ids.includes(m.parentId));
    await until('a reply to each and every re-delivery acknowledged', () => replies().length >= USERS.length && bot.sandbox.stats().acked >= USERS.length, 30_000);
    await until('every event handled', async () => (await bot.db.prisma.inboundEvent.count({ where: { status: 'DONE' } })) === USERS.length, 30_000);
    expect(replies().map((m) => m.parentId).sort()).toEqual([...ids].sort());
    expect(bot.sandbox.stats().redeliveries).toBeGreaterThanOrEqual(USERS.length);
    expect(bot.sandbox.stats().duplicateUuids).toBe(0);
  });
});

describe('intake across a crash', () => {
  it('an event acknowledged is stored: the process SIGKILLed right after its answers, every message is still answered once', async () => {
    const N = 40;
    const sandbox = await startSandbox({ port: 0, delivery: { mode: 'none' } });
    cleanups.push(() => sandbox.close());
    const db = await freshDatabase('intake_kill');
    cleanups.push(() => db.drop());
    const queueName = `intake-kill-${randomBytes(4).toString('hex')}`;
    const env = sandboxBotEnv(sandbox, db.url);

    const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/intake-child.ts'], { env: { ...process.env, ...env, QUEUE: queueName }, stdio: ['ignore', 'pipe', 'inherit'] });
    cleanups.push(async () => void child.kill('SIGKILL'));
    const first = await readline.createInterface({ input: child.stdout! })[Symbol.asyncIterator]().next();
    const { port } = JSON.parse(first.value as string) as { port: number };

    const messages = await Promise.all(
      Array.from({ length: N }, async (_, i) => {
        const from = USERS[i % USERS.length]!;
        const text = '你好';
        return { from, text, messageId: await sandbox.userSends({ from, text }) };
      }),
    );
    const statuses = await Promise.all(
      messages.map(async (m) => {
        const req = signedRequest(messageEnvelope({ appId: sandbox.appId, token: sandbox.verificationToken, from: m.from, chatId: sandbox.p2pChatId(m.from), text: m.text, messageId: m.messageId }), sandbox.encryptKey);
        return (await fetch(`http://127.0.0.1:${port}/lark/events`, { method: 'POST', body: req.body, headers: req.headers })).status;
      }),
    );
    child.kill('SIGKILL'); // right after the last answer: jobs may or may not have reached Redis
    await new Promise((r) => child.once('exit', r));
    expect(statuses).toEqual(messages.map(() => 200));
    // Every acknowledged event is in PostgreSQL. Redis loses whatever it had of them (as if the process had
    // died before queueing, or Redis had restarted empty).
    expect(await db.prisma.inboundEvent.count({ where: { status: 'RECEIVED' } })).toBe(N);
    const backend = redisBackend(redisUrl());
    const q = new JobQueue(backend, queueName);
    await q.queue.obliterate({ force: true });
    await q.close();
    await backend.close();

    // A new process recovers them (recover-inbound, as its every-minute scheduler would; its clock a minute on).
    const config = loadConfig({ ...env, PORT: '0' });
    const app = await startApp({ config, databaseUrl: db.url, log: silentLogger, clock: () => new Date(Date.now() + 60_000), queueName, schedulers: false, reminderCron: false, http: false, workerConcurrency: 8 });
    cleanups.push(() => app.close(2000));
    await app.deps.queue.enqueue('recover-inbound', {}, { jobId: 'recover-after-crash' });
    const ids = messages.map((m) => m.messageId);
    const replies = () => sandbox.sent().filter((m) => m.parentId && ids.includes(m.parentId));
    await until('every stored event handled', async () => (await db.prisma.inboundEvent.count({ where: { status: 'DONE' } })) === N, 30_000);
    expect(replies().map((m) => m.parentId).sort()).toEqual([...ids].sort());
  });
});
