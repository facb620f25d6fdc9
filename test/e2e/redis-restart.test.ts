// Reliability §7.13: Redis restarted (AOF on) shortly before a reminder is due. The test runs a
// redis-server of its own (`--appendonly yes` in a temporary folder, on a free port), shuts it down and
// starts it again on the same folder while the whole bot runs against it: the reminder still goes out
// within 30 s of its due time, and the worker goes on taking jobs (a user's message is answered).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { startApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';
import { generateObligations } from '../../src/obligations/generate.js';
import { loadDomainConfig } from '../../src/ops/domain-config.js';
import { startReminderCron } from '../../src/reminders/cron.js';
import { runReminderTick } from '../../src/reminders/tick.js';
import { startSandbox } from '../../src/sandbox/index.js';
import { markYearsKnown, sandboxBotEnv, until } from '../helpers/bot.js';
import { freshDatabase } from '../helpers/db.js';
import { freePort } from '../helpers/process.js';
import { seedRoster } from '../helpers/reminders.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => {});
});

/** A redis-server with AOF on, in `dir`, on `port`; resolves once it answers PING. */
async function startRedis(dir: string, port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--appendonly', 'yes', '--save', '', '--dir', dir], { stdio: 'ignore' });
  const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => {});
  try {
    await until('redis-server to answer', async () => {
      if (child.exitCode !== null) throw new Error(`redis-server exited (${child.exitCode})`);
      try {
        if (probe.status !== 'ready') await probe.connect();
        return (await probe.ping()) === 'PONG';
      } catch {
        probe.disconnect();
        return false;
      }
    });
  } finally {
    probe.disconnect();
  }
  return child;
}

describe('reliability §7.13: a Redis restart (AOF on)', () => {
  it('reliability §7.13: Redis restarted 15 s before a reminder is due: it goes out within 30 s of its due time, and the worker keeps consuming', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'redis-aof-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const port = await freePort();
    let redis = await startRedis(dir, port);
    cleanups.push(async () => void redis.kill('SIGKILL'));

    const db = await freshDatabase('redis_restart');
    cleanups.push(() => db.drop());
    const roster = await seedRoster(db.prisma, { units: 1 });
    await markYearsKnown(db.prisma);
    await generateObligations(db.prisma, { year: 2026, now: new Date('2026-11-02T09:00:00+08:00'), catalog: loadDomainConfig().catalog.current });
    const secretary = roster.by('SECRETARY');
    const sandbox = await startSandbox({ port: 0, delivery: { mode: 'none' }, users: roster.users });
    cleanups.push(() => sandbox.close());

    // Due: 09:00 Beijing on Monday 2026-11-23, when working hours start. The bot's clock reads 15 s before
    // that when the restart begins, and runs on in real time; its reminder cron ticks every second.
    const due = new Date('2026-11-23T01:00:00Z');
    let offset = 0;
    const clock = () => new Date(Date.now() + offset);
    const redisUrl = `redis://127.0.0.1:${port}`;
    const config = loadConfig({ ...sandboxBotEnv(sandbox, db.url), REDIS_URL: redisUrl, PORT: '0' });
    offset = due.getTime() - 30 * 60_000 - Date.now();
    const app = await startApp({
      config,
      databaseUrl: db.url,
      log: silentLogger,
      clock,
      queueName: `aof-${randomBytes(4).toString('hex')}`,
      pacerScope: `aof-${randomBytes(4).toString('hex')}`,
      reminderCron: false,
    });
    cleanups.push(() => app.close(2000));
    sandbox.setDelivery({ mode: 'webhook', url: `http://127.0.0.1:${app.port}/lark/events` });
    // Half an hour before, the day's reminders are planned; none may go out yet.
    const early = await runReminderTick(app.deps, { now: clock() });
    expect([early.planned.created > 0, early.digests]).toEqual([true, []]);
    const q = app.deps.queue.queue;
    expect(await q.getJobScheduler('recover-inbound')).toBeTruthy();

    offset = due.getTime() - 15_000 - Date.now();
    const dueReal = due.getTime() - offset; // the real instant the bot's clock reads 09:00 Beijing
    const cron = startReminderCron(app.deps, { pattern: '* * * * * *' });
    cleanups.push(() => cron.stop());

    // The restart: SHUTDOWN (which writes the AOF), then the same server on the same folder again.
    const admin = new Redis(redisUrl, { maxRetriesPerRequest: 0, retryStrategy: () => null });
    admin.on('error', () => {});
    expect(await admin.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
    const exited = new Promise((r) => redis.once('exit', r));
    await admin.call('SHUTDOWN').catch(() => {}); // the connection closes as the server stops
    admin.disconnect();
    await exited;
    redis = await startRedis(dir, port);
    const restartedAt = Date.now();
    expect(restartedAt).toBeLessThan(dueReal); // back before the reminder was due

    // The reminder goes out once, within 30 s of its due time.
    const card = await sandbox.waitFor((m) => m.kind === 'create' && m.toOpenId === secretary.openId, 60_000);
    console.log(`§7.13: the reminder went out ${card.at - dueReal} ms after its due time (Redis back ${restartedAt - dueReal} ms relative to it)`);
    expect(card.at - dueReal).toBeGreaterThanOrEqual(0);
    expect(card.at - dueReal).toBeLessThan(30_000);
    const digest = await until('the digest to be marked sent', () => db.prisma.reminderDigest.findFirst({ where: { recipientId: secretary.id, status: 'SENT' } }));
    expect(digest.messageId).toBe(card.messageId);
    // What was in Redis before the restart is still there (the AOF), without re-creation.
    expect(await q.getJobScheduler('recover-inbound')).toBeTruthy();

    // The worker keeps consuming: a message after the restart is answered through the queue.
    const id = await sandbox.userSends({ from: secretary.openId, text: '/帮助' });
    const reply = await sandbox.waitFor((m) => m.parentId === id, 30_000);
    expect(JSON.stringify(reply.content)).toContain('/帮助');
    expect(sandbox.sent().filter((m) => m.kind === 'create' && m.toOpenId === secretary.openId)).toHaveLength(1);
    expect(sandbox.stats().duplicateUuids).toBe(0);
  }, 120_000);
});
