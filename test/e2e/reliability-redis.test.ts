// Reliability §7 on the queue's side: two replicas booting on one Redis, a bot started while Redis is
// down, and a worker process stopped (SIGTERM) while Lark is slow to answer its sends. Real
// PostgreSQL, the Lark sandbox through the real SDK, and Redis servers this file starts itself (so
// that it can start them late and read every key), never the shared one.
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { startApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { JOBS } from '../../src/jobs/index.js';
import { silentLogger } from '../../src/logger.js';
import { confirmNotice } from '../../src/notices/service.js';
import { generateObligations } from '../../src/obligations/generate.js';
import { loadDomainConfig } from '../../src/ops/domain-config.js';
import { SEND_REMINDER_JOB } from '../../src/reminders/tick.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { markYearsKnown, sandboxBotEnv, until } from '../helpers/bot.js';
import { freshDatabase, type FreshDatabase } from '../helpers/db.js';
import { cleanEnv, freePort } from '../helpers/process.js';
import { seedRoster } from '../helpers/reminders.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const at = (s: string) => new Date(`${s}+08:00`);
const MONDAY = at('2026-11-23T10:00:00'); // a working day on which the secretaries' reminders are due

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await Promise.resolve().then(c).catch(() => {});
});

/** A redis-server of this test's own on a free port (no persistence), stopped at the end of the test. */
async function startRedis(port?: number): Promise<{ url: string; port: number; client: Redis; stop(): Promise<void> }> {
  const p = port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), 'redis-rel-'));
  const child = spawn('redis-server', ['--bind', '127.0.0.1', '--port', String(p), '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const url = `redis://127.0.0.1:${p}`;
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  client.on('error', () => {});
  await until('the test Redis to answer', async () => (await client.connect().then(() => client.ping()).catch(() => null)) === 'PONG', 10_000);
  const stop = async () => {
    client.disconnect();
    if (child.exitCode === null) child.kill('SIGKILL');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  cleanups.push(stop);
  return { url, port: p, client, stop };
}

async function sandboxAndDb(name: string, users: { openId: string; name: string }[]): Promise<{ sandbox: Sandbox; db: FreshDatabase }> {
  const sandbox = await startSandbox({ port: 0, delivery: { mode: 'none' }, users });
  cleanups.push(() => sandbox.close());
  const db = await freshDatabase(name);
  cleanups.push(() => db.drop());
  return { sandbox, db };
}

describe('reliability §7.9: two replicas booting on one Redis', () => {
  it('reliability §7.9: two replicas both upserting the job schedulers at boot leave one scheduler and one next run per scheduler id, and one send job per reminder', async () => {
    const redis = await startRedis();
    const db = await freshDatabase('two_boots');
    cleanups.push(() => db.drop());
    const roster = await seedRoster(db.prisma, { units: 3 });
    await markYearsKnown(db.prisma);
    await generateObligations(db.prisma, { year: 2026, now: at('2026-11-02T09:00:00'), catalog: loadDomainConfig().catalog.current });
    const sandbox = await startSandbox({ port: 0, delivery: { mode: 'none' }, users: roster.users });
    cleanups.push(() => sandbox.close());
    const secretaries = roster.people.filter((p) => p.role === 'SECRETARY');

    // Two app instances, started at the same moment: each upserts the schedulers and runs the reminder
    // tick at start (as every replica of the image does), on one database and one queue.
    const config = loadConfig({ ...sandboxBotEnv(sandbox, db.url), REDIS_URL: redis.url, PORT: '0' });
    const queueName = `two-boots-${randomBytes(4).toString('hex')}`;
    const replicas = await Promise.all(
      [0, 1].map(() => startApp({ config, databaseUrl: db.url, log: silentLogger, clock: () => MONDAY, queueName, pacerScope: queueName, intake: false, http: false })),
    );
    for (const r of replicas) cleanups.push(() => r.close(2000));

    await until('one reminder card for each secretary', async () => (await db.prisma.reminderDigest.count({ where: { status: 'SENT' } })) === secretaries.length, 30_000);
    const q = replicas[0]!.deps.queue.queue;
    const cronJobs = JOBS.filter((j) => j.cron).map((j) => j.name);
    expect(cronJobs.length).toBeGreaterThan(0);
    const schedulers = await q.getJobSchedulers();
    expect(schedulers.map((s) => s.key).sort()).toEqual([...cronJobs].sort());
    // Redis itself: one entry per scheduler id in the scheduler set, one delayed next run each.
    expect(await redis.client.zcard(`bull:${queueName}:repeat`)).toBe(cronJobs.length);
    const delayed = await q.getDelayed();
    for (const name of cronJobs) expect(delayed.filter((j) => String(j.id).startsWith(`repeat:${name}:`)), name).toHaveLength(1);
    expect(delayed.filter((j) => !String(j.id).startsWith('repeat:'))).toEqual([]);

    // Each reminder (one digest per secretary and day) has one send job in the queue, and one card went out.
    const digests = await db.prisma.reminderDigest.findMany();
    expect(digests).toHaveLength(secretaries.length);
    const sendJobs = (await q.getJobs(['waiting', 'active', 'delayed', 'completed', 'failed', 'prioritized'])).filter((j) => j.name === SEND_REMINDER_JOB);
    expect(sendJobs.map((j) => (j.data as { digestId: number }).digestId).sort((a, b) => a - b)).toEqual(digests.map((d) => d.id).sort((a, b) => a - b));
    for (const s of secretaries) expect(sandbox.sent().filter((m) => m.toOpenId === s.openId), s.name).toHaveLength(1);
    expect(sandbox.stats().duplicateUuids).toBe(0);

    // A third replica booting later (a rolling deploy) changes nothing.
    const third = await startApp({ config, databaseUrl: db.url, log: silentLogger, clock: () => MONDAY, queueName, pacerScope: queueName, intake: false, http: false, worker: false });
    cleanups.push(() => third.close(2000));
    expect((await q.getJobSchedulers()).map((s) => s.key).sort()).toEqual([...cronJobs].sort());
    expect((await q.getDelayed()).filter((j) => String(j.id).startsWith('repeat:'))).toHaveLength(cronJobs.length);
  }, 60_000);
});

describe('reliability §7.15: the bot started while Redis is down', () => {
  const USER = { openId: 'ou_redis_down_user', name: '张三' };

  it('reliability §7.15: with Redis down the bot starts and acknowledges an event (stored in PostgreSQL, /healthz 503 naming the queue); when Redis appears the worker connects by itself and the event is answered once', async () => {
    const { sandbox, db } = await sandboxAndDb('redis_down', [USER]);
    const redisPort = await freePort(); // nothing listens here yet
    const config = loadConfig({ ...sandboxBotEnv(sandbox, db.url), REDIS_URL: `redis://127.0.0.1:${redisPort}`, PORT: '0' });
    const queueName = `redis-down-${randomBytes(4).toString('hex')}`;
    const started = Date.now();
    const app = await startApp({ config, databaseUrl: db.url, log: silentLogger, queueName, pacerScope: queueName });
    cleanups.push(() => app.close(2000));
    expect(Date.now() - started).toBeLessThan(20_000);
    const health = async () => {
      const res = await fetch(`http://127.0.0.1:${app.port}/healthz`);
      return { status: res.status, body: (await res.json()) as { checks: Record<string, { ok: boolean; error?: string }> } };
    };
    const down = await health();
    expect(down.status).toBe(503);
    expect(down.body.checks.queue!.ok).toBe(false);
    expect(down.body.checks.queue!.error).toMatch(/Redis at redis:\/\/127\.0\.0\.1:\d+ is not connected/);
    expect(down.body.checks.database!.ok).toBe(true);
    expect((await fetch(`http://127.0.0.1:${app.port}/metrics`)).status).toBe(200); // a scrape does not hang on the queue

    sandbox.setDelivery({ mode: 'webhook', url: `http://127.0.0.1:${app.port}/lark/events` });
    const id = await sandbox.userSends({ from: USER.openId, text: '/帮助' });
    // Lark got its 200 in time (no re-delivery needed) and the event is stored, waiting.
    await until('Lark to get its answer', () => sandbox.stats().acked === 1);
    const row = await db.prisma.inboundEvent.findUniqueOrThrow({ where: { dedupeKey: `msg:${id}` } });
    expect(row.status).toBe('RECEIVED');
    expect(sandbox.sent()).toEqual([]);

    // Redis appears on the configured address: nobody restarts the bot.
    const redis = await startRedis(redisPort);
    const reply = await sandbox.waitFor((m) => m.parentId === id, 30_000);
    expect(JSON.stringify(reply.content)).toContain('/帮助');
    await until('the event to be done', async () => (await db.prisma.inboundEvent.findUniqueOrThrow({ where: { id: row.id } })).status === 'DONE');
    await until('the queue to be idle', async () => {
      const c = await app.deps.queue.queue.getJobCounts('waiting', 'active', 'prioritized');
      return Object.values(c).every((n) => n === 0);
    });
    expect(sandbox.sent().filter((m) => m.parentId === id)).toHaveLength(1);
    expect(sandbox.stats().redeliveries).toBe(0);
    // The schedulers are there now, and /healthz is green again.
    expect((await app.deps.queue.queue.getJobSchedulers()).map((s) => s.key)).toContain('recover-inbound');
    expect(await redis.client.zcard(`bull:${queueName}:repeat`)).toBeGreaterThan(0);
    await until('/healthz to be green', async () => (await health()).status === 200);

    // And it keeps working: the next message is answered at once.
    const next = await sandbox.userSends({ from: USER.openId, text: '/帮助' });
    await sandbox.waitFor((m) => m.parentId === next, 10_000);
  }, 90_000);
});

describe('reliability §7.17: SIGTERM to a worker process while a send is in flight', () => {
  const N = 24;
  const TITLE = '关于报送年度党建工作总结的通知';
  const users = Array.from({ length: N + 1 }, (_, i) => ({ openId: `ou_term_${i}`, name: `人员${i}` }));

  /** A notice to N people on a private Redis, and the app that confirms it (queues its N send jobs). */
  async function world(name: string) {
    const redis = await startRedis();
    const { sandbox, db } = await sandboxAndDb(name, users);
    await db.prisma.$executeRawUnsafe(`INSERT INTO "Unit" (id, code, name, kind, "updatedAt") VALUES (1, 'OD', '区委组织部', 'OD', now()), (2, 'U2', '第一单位', 'TOWN', now())`);
    await db.prisma.$executeRawUnsafe(`INSERT INTO "Person" (id, code, name, "unitId", role, "larkOpenId", "updatedAt") VALUES (1000000, 'P0', '组织部', 1, 'OD_STAFF', 'ou_term_0', now())`);
    await db.prisma.$executeRawUnsafe(
      `INSERT INTO "Person" (id, code, name, "unitId", role, "larkOpenId", "updatedAt") SELECT p, 'P' || p, '人员' || p, 2, 'MEMBER', 'ou_term_' || p, now() FROM generate_series(1, ${N}) p`,
    );
    const notice = await db.prisma.notice.create({ data: { title: TITLE, body: '请于12月10日前报送。', createdById: 1000000, audience: { scope: 'ALL', role: 'ANY' }, ackRequired: true } });
    await db.prisma.$executeRawUnsafe(`INSERT INTO "NoticeRecipient" ("noticeId", "personId", "updatedAt") SELECT ${notice.id}, p, now() FROM generate_series(1, ${N}) p`);
    const env = { ...sandboxBotEnv(sandbox, db.url), REDIS_URL: redis.url };
    // Only confirms (queues the sends) on the default queue, which the worker process consumes.
    const app: App = await startApp({ config: loadConfig({ ...env, PORT: '0' }), databaseUrl: db.url, log: silentLogger, worker: false, intake: false, http: false, schedulers: false });
    cleanups.push(() => app.close(2000));
    const confirm = async () => expect((await confirmNotice(app.deps, notice.id)).queued).toBe(N);
    const sentRows = () => db.prisma.noticeRecipient.count({ where: { noticeId: notice.id, status: 'SENT' } });
    const creates = () => sandbox.stats().requests['im.v1.message.create'] ?? 0;
    /** What the queue holds in Redis: the active list, the lock keys, the waiting jobs. */
    const queueState = async () => ({
      active: await redis.client.llen('bull:dangjian:active'),
      locks: (await redis.client.keys('bull:dangjian:*:lock')).length,
      waiting: await redis.client.llen('bull:dangjian:wait'),
    });
    return { redis, sandbox, db, env, confirm, sentRows, creates, queueState };
  }

  /** src/worker-main.ts in a process of its own, as main.ts forks it; resolves once it consumes jobs. */
  async function workerProcess(env: Record<string, string>): Promise<{ child: ChildProcess; exited: Promise<number | string>; lines: string[] }> {
    const child = fork(join(ROOT, 'src/worker-main.ts'), [], { cwd: ROOT, execArgv: ['--import', 'tsx'], env: cleanEnv({ ...env, LOG_LEVEL: 'info' }), stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    const lines: string[] = [];
    for (const s of [child.stdout!, child.stderr!]) s.on('data', (b: Buffer) => lines.push(...b.toString().split('\n').filter(Boolean)));
    const exited = new Promise<number | string>((r) => child.once('exit', (code, signal) => r(code ?? signal ?? -1)));
    cleanups.push(() => child.exitCode === null && child.signalCode === null && child.kill('SIGKILL'));
    await new Promise<void>((resolve, reject) => {
      child.on('message', (m: { ready?: boolean }) => m?.ready && resolve());
      void exited.then((code) => reject(new Error(`worker exited (${code}) before it was ready:\n${lines.slice(-20).join('\n')}`)));
    });
    return { child, exited, lines };
  }

  const cardsPerUser = (sandbox: Sandbox) => {
    const per = new Map<string, number>();
    for (const m of sandbox.sent()) if (m.kind === 'create' && JSON.stringify(m.content).includes(TITLE)) per.set(m.toOpenId!, (per.get(m.toOpenId!) ?? 0) + 1);
    return users.slice(1).map((u) => per.get(u.openId) ?? 0);
  };

  it('reliability §7.17: Lark slower than usual (1.5 s a send): the worker takes no new job, finishes the sends in flight, exits 0 and leaves no job locked; a new worker sends the rest, one card each', async () => {
    const w = await world('sigterm_finish');
    const first = await workerProcess(w.env);
    // Sends reaching Lark in the next 3 s (the worker's first ones) are answered 1.5 s late.
    w.sandbox.delayFor('im.v1.message.create', 3000, 1500);
    await w.confirm();
    await until('a send to be in flight', () => w.creates() >= 1);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    const stopped = await w.queueState();
    const sent = await w.sentRows();
    expect(stopped).toEqual({ active: 0, locks: 0, waiting: N - sent });
    expect(sent).toBeGreaterThan(0); // the sends in flight were finished…
    expect(sent).toBeLessThanOrEqual(16); // …and no job was taken after the signal (16 run at once)
    expect(w.creates()).toBe(sent); // every send Lark saw is recorded
    expect(w.sandbox.sent()).toHaveLength(sent);

    const second = await workerProcess(w.env);
    await until('every recipient to be sent', async () => (await w.sentRows()) === N, 30_000);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    expect(cardsPerUser(w.sandbox)).toEqual(users.slice(1).map(() => 1));
    expect(w.sandbox.stats().duplicateUuids).toBe(0);
    expect(await w.queueState()).toEqual({ active: 0, locks: 0, waiting: 0 });
  }, 90_000);

  it('reliability §7.17: a send slower than the grace period (SHUTDOWN_GRACE_SECONDS=1, Lark takes 8 s): the worker hands its jobs back and exits 0 within the grace, no lock left for lockDuration; a new worker sends them at once, one card each', async () => {
    const w = await world('sigterm_release');
    const env = { ...w.env, SHUTDOWN_GRACE_SECONDS: '1' };
    const first = await workerProcess(env);
    // Sends reaching Lark in the next 3 s (the worker's first ones) are answered 8 s late.
    w.sandbox.delayFor('im.v1.message.create', 3000, 8000);
    await w.confirm();
    await until('a send to be in flight', () => w.creates() >= 1);
    const signalled = Date.now();
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(Date.now() - signalled).toBeLessThan(6000); // well before Lark answers
    expect(first.lines.some((l) => l.includes('handed back to the queue'))).toBe(true);

    // Nothing is left active or locked: every job is waiting again, none counted as an attempt.
    expect(await w.queueState()).toEqual({ active: 0, locks: 0, waiting: N });
    expect(await w.sentRows()).toBe(0);
    const inFlight = w.creates();
    expect(inFlight).toBeGreaterThan(0);

    // The sends Lark still holds land later, under the same uuids as the re-sends.
    const second = await workerProcess(w.env);
    await until('every recipient to be sent', async () => (await w.sentRows()) === N, 15_000); // far less than lockDuration + stalled check
    await until('Lark to have answered every send', () => w.sandbox.sent().length + w.sandbox.stats().duplicateUuids === w.creates(), 15_000);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    expect(cardsPerUser(w.sandbox)).toEqual(users.slice(1).map(() => 1));
    expect(w.sandbox.stats().duplicateUuids).toBe(inFlight); // each abandoned send was a repeat of its re-send's uuid
    const attempts = await w.db.prisma.noticeRecipient.findMany({ select: { messageId: true } });
    expect(new Set(attempts.map((a) => a.messageId)).size).toBe(N);
  }, 90_000);
});
