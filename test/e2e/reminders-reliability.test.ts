// Exactly one reminder however it goes: several app instances ticking at once, a worker killed while
// Lark holds its answer, the queue's Redis data wiped between ticks. Real PostgreSQL, Redis and the
// Lark sandbox; the worker of the kill test is a child process.
import type { ChildProcess } from 'node:child_process';
import { startChildWorker } from '../helpers/child-worker.js';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { startWorker } from '../../src/jobs/worker.js';
import { silentLogger } from '../../src/logger.js';
import { loadDomainConfig } from '../../src/ops/domain-config.js';
import { generateObligations } from '../../src/obligations/generate.js';
import { sendDigest } from '../../src/reminders/send.js';
import { startReminderCron } from '../../src/reminders/cron.js';
import { digestJobId, runReminderTick } from '../../src/reminders/tick.js';
import { startSandbox, type Sandbox, type SentMessage } from '../../src/sandbox/index.js';
import { markYearsKnown, quiet, redisUrl, until } from '../helpers/bot.js';
import { freshDatabase, type FreshDatabase } from '../helpers/db.js';
import { seedRoster, type SeededRoster } from '../helpers/reminders.js';

const at = (s: string) => new Date(`${s}+08:00`);
const MONDAY = at('2026-11-23T10:00:00'); // five working days before the end of November

interface World {
  sandbox: Sandbox;
  db: FreshDatabase;
  roster: SeededRoster;
  queueName: string;
  secretaries: SeededRoster['people'];
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => {});
});

async function world(units = 4, o: { resigned?: (p: SeededRoster['people'][number]) => boolean } = {}): Promise<World> {
  const db = await freshDatabase('reminder_rel');
  cleanups.push(() => db.drop());
  const roster = await seedRoster(db.prisma, { units });
  await markYearsKnown(db.prisma); // late 2026: 2027 counts as entered, so no calendar warning goes to the OD
  const users = roster.people.map((p) => ({ openId: p.openId, name: p.name, status: o.resigned?.(p) ? ('resigned' as const) : ('active' as const) }));
  const sandbox = await startSandbox({ port: 0, delivery: { mode: 'none' }, users });
  cleanups.push(() => sandbox.close());
  await generateObligations(db.prisma, { year: 2026, now: at('2026-11-02T09:00:00'), catalog: loadDomainConfig().catalog.current });
  return { sandbox, db, roster, queueName: `rel-${randomBytes(4).toString('hex')}`, secretaries: roster.people.filter((p) => p.role === 'SECRETARY') };
}

async function app(w: World, o: { worker?: boolean; clock?: () => Date; larkDomain?: string; env?: Record<string, string> } = {}): Promise<App> {
  const config = loadConfig({
    LARK_APP_ID: w.sandbox.appId,
    LARK_APP_SECRET: w.sandbox.appSecret,
    LARK_DOMAIN: o.larkDomain ?? w.sandbox.baseUrl,
    LARK_EVENT_MODE: 'webhook',
    LARK_ENCRYPT_KEY: w.sandbox.encryptKey,
    DATABASE_URL: w.db.url,
    REDIS_URL: redisUrl(),
    PORT: '0',
    ...o.env,
  });
  const a = await startApp({
    config,
    databaseUrl: w.db.url,
    log: silentLogger,
    clock: o.clock ?? (() => MONDAY),
    queueName: w.queueName,
    worker: o.worker ?? true,
    intake: false,
    reminderCron: false,
  });
  cleanups.push(() => a.close(2000));
  return a;
}

const cards = (w: World, openId: string) => w.sandbox.sent().filter((m: SentMessage) => m.kind === 'create' && m.toOpenId === openId);

/** Wait until the queue is drained (nothing waiting, running or retrying): a late duplicate send is then counted. */
const drained = (w: World, a: App) => quiet({ queue: a.deps.queue.queue, db: w.db.prisma });

/** Each secretary has exactly one card, and the database says so too. */
async function expectOneCardEach(w: World, a: App): Promise<void> {
  await until('every digest to be sent', async () => (await w.db.prisma.reminderDigest.count({ where: { status: 'SENT' } })) === w.secretaries.length);
  await drained(w, a);
  for (const s of w.secretaries) {
    const got = cards(w, s.openId);
    expect(got, s.name).toHaveLength(1);
    const digest = await w.db.prisma.reminderDigest.findFirstOrThrow({ where: { recipientId: s.id } });
    expect(digest.messageId).toBe(got[0]!.messageId);
  }
  expect(await w.db.prisma.reminderDigest.count()).toBe(w.secretaries.length);
}

/** Remove every key of one BullMQ queue: what a Redis without persistence has after a restart. */
async function wipeQueue(queueName: string): Promise<number> {
  const redis = new Redis(redisUrl());
  try {
    let n = 0;
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `bull:${queueName}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) n += await redis.del(...keys);
    } while (cursor !== '0');
    return n;
  } finally {
    redis.disconnect();
  }
}

describe('exactly one reminder', () => {
  it('reliability §7.10: three app instances on one database and one queue, ticking at the same instant, send one card per secretary', async () => {
    const w = await world(4);
    const apps = await Promise.all([app(w), app(w), app(w)]);
    // Each instance ticks twice at once: six concurrent ticks.
    const results = await Promise.all(apps.flatMap((a) => [runReminderTick(a.deps, { now: MONDAY }), runReminderTick(a.deps, { now: MONDAY })]));
    const claimedBy = results.flatMap((r) => r.digests.map((d) => d.recipientId)).sort((a, b) => a - b);
    expect(claimedBy).toEqual(w.secretaries.map((s) => s.id).sort((a, b) => a - b));
    await expectOneCardEach(w, apps[0]!);
    expect(w.sandbox.stats().duplicateUuids).toBe(0);
    // And ticking on, every instance, later that day: nothing more.
    await Promise.all(apps.map((a) => runReminderTick(a.deps, { now: at('2026-11-23T15:00:00') })));
    await drained(w, apps[0]!);
    expect(w.sandbox.sent()).toHaveLength(w.secretaries.length);
  });

  it('reliability §7.11, §7.12: a worker killed while Lark holds its answer, then restarted, sends no second card', async () => {
    const w = await world(2);
    const proxy = await holdingProxy(w.sandbox.baseUrl);
    cleanups.push(() => proxy.close());
    const ticker = await app(w, { worker: false });
    const r = await runReminderTick(ticker.deps, { now: MONDAY });
    expect(r.digests).toHaveLength(2);

    // Worker 1 reaches Lark through the proxy, which lets the first send through and keeps the answer.
    const first = await childWorker(w, proxy.url);
    await proxy.held; // the card is posted; the answer never reaches the worker
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));
    expect(w.sandbox.sent()).toHaveLength(1); // Lark has posted it; the bot never learnt so
    const heldUuid = w.sandbox.sent()[0]!.uuid;
    expect(await w.db.prisma.reminderDigest.count({ where: { status: 'SENT' } })).toBe(0);

    // Worker 2 takes over the stalled job (its lock expires) and the waiting one.
    const second = await childWorker(w, w.sandbox.baseUrl);
    cleanups.push(async () => void second.kill('SIGKILL'));
    await expectOneCardEach(w, ticker);
    const stats = w.sandbox.stats();
    expect(stats.duplicateUuids).toBe(1); // the re-send carried the same uuid and was answered with the first message
    expect(w.sandbox.sent().filter((m) => m.uuid === heldUuid)).toHaveLength(1);
  });

  it('reliability §7.14: Redis losing the queue between ticks loses no reminder and repeats none', async () => {
    const w = await world(2);
    let now = MONDAY;
    const a = await app(w, { worker: false, clock: () => now });
    const first = await runReminderTick(a.deps, { now });
    expect(first.digests).toHaveLength(2);
    expect((await a.deps.queue.queue.getJobCounts('waiting')).waiting).toBe(2);
    expect(await wipeQueue(w.queueName)).toBeGreaterThan(0);
    expect((await a.deps.queue.queue.getJobCounts('waiting')).waiting).toBe(0);

    const worker = startWorker(a.backend, a.deps, { queueName: w.queueName });
    cleanups.push(() => worker.close());
    // A minute later the claims are fresh (someone may be sending them): left alone.
    now = at('2026-11-23T10:01:00');
    expect((await runReminderTick(a.deps, { now })).requeued).toEqual([]);
    await drained(w, a);
    expect(w.sandbox.sent()).toHaveLength(0);
    // Five minutes later they are stale: rebuilt from PostgreSQL and sent, once.
    now = at('2026-11-23T10:05:00');
    expect((await runReminderTick(a.deps, { now })).requeued).toHaveLength(2);
    await expectOneCardEach(w, a);

    // Wiped again while the worker runs: the next tick sends nothing twice...
    await wipeQueue(w.queueName);
    now = at('2026-11-23T10:10:00');
    const again = await runReminderTick(a.deps, { now });
    expect([again.digests, again.requeued]).toEqual([[], []]);
    // ...and the worker still takes the next day's work.
    now = at('2026-11-27T09:30:00');
    const friday = await runReminderTick(a.deps, { now });
    expect(friday.digests).toHaveLength(2);
    await until('the next day\'s digests to be sent', async () => (await w.db.prisma.reminderDigest.count({ where: { status: 'SENT' } })) === 4);
    await drained(w, a);
    for (const s of w.secretaries) expect(cards(w, s.openId)).toHaveLength(2);
    expect(w.sandbox.stats().duplicateUuids).toBe(0);
  });

  it('Lark down past the job\'s attempts: the claim stays, a later tick revives the failed job, one card', async () => {
    const w = await world(1);
    let now = MONDAY;
    const a = await app(w, { worker: false, clock: () => now });
    const [d] = (await runReminderTick(a.deps, { now })).digests;
    // A send while Lark answers 500 (four tries by the messenger): the claim stays, nothing is marked failed.
    w.sandbox.failNext('im.v1.message.create', 4, { status: 500, code: 1, msg: 'internal error' });
    await expect(sendDigest(a.deps, d!.id)).rejects.toThrow(/server_error|500|internal/i);
    expect((await w.db.prisma.reminderDigest.findUniqueOrThrow({ where: { id: d!.id } })).status).toBe('CLAIMED');
    // The job itself ends failed for good (its attempts spent while Lark was down).
    const conn = new Redis(redisUrl(), { maxRetriesPerRequest: null });
    const failer = new Worker(w.queueName, async () => { throw new UnrecoverableError('Lark down'); }, { connection: conn });
    const job = (await a.deps.queue.queue.getJob(d!.jobId))!;
    await until('the job to fail for good', async () => (await job.getState()) === 'failed');
    await failer.close();
    conn.disconnect();

    const worker = startWorker(a.backend, a.deps, { queueName: w.queueName });
    cleanups.push(() => worker.close());
    now = at('2026-11-23T10:10:00');
    const later = await runReminderTick(a.deps, { now });
    expect(later.requeued.map((x) => x.id)).toEqual([d!.id]);
    await expectOneCardEach(w, a);
    expect(w.sandbox.stats().duplicateUuids).toBe(0);
  });

  // §7.21: the host runs on UTC (process TZ); the reminder cron ticks every second against a clock set
  // a few seconds before the moment reminders may go out, and the first card is claimed at that moment.
  describe('reliability §7.21: Beijing time on a UTC host', () => {
    let tz: string | undefined;
    beforeEach(() => {
      tz = process.env.TZ;
      process.env.TZ = 'UTC';
    });
    afterEach(() => {
      if (tz === undefined) delete process.env.TZ;
      else process.env.TZ = tz;
    });

    /** A clock that reads `start` now and runs on in real time. */
    const runningFrom = (start: Date) => {
      const offset = start.getTime() - Date.now();
      return () => new Date(Date.now() + offset);
    };

    /** Ticks every second from `start` on (the app's cron, Beijing timezone); the secretary's first digest, once sent. */
    async function firstDigest(w: World, start: Date, env: Record<string, string> = {}) {
      let clock = () => start;
      const a = await app(w, { clock: () => clock(), env });
      // Half an hour before, the tick plans the day's reminders and claims none (outside working hours).
      const early = await runReminderTick(a.deps, { now: new Date(start.getTime() - 30 * 60_000) });
      expect([early.sending, early.planned.created > 0, early.digests]).toEqual([false, true, []]);
      clock = runningFrom(start);
      const cron = startReminderCron(a.deps, { pattern: '* * * * * *', ensureSchedulers: false });
      cleanups.push(() => cron.stop());
      const s = w.secretaries[0]!;
      await until('the first digest to be sent', async () => (await w.db.prisma.reminderDigest.count({ where: { recipientId: s.id, status: 'SENT' } })) === 1);
      return w.db.prisma.reminderDigest.findFirstOrThrow({ where: { recipientId: s.id } });
    }

    it('reliability §7.21: a reminder for 09:00 Beijing (working hours 09:00-17:30) goes out at 01:00Z, not before', async () => {
      expect(new Date('2026-11-23T00:00:00Z').getHours()).toBe(0); // the host really is on UTC
      const w = await world(1);
      const d = await firstDigest(w, new Date('2026-11-23T00:59:57Z'));
      // Ticks at 00:59:57..00:59:59Z claimed nothing; the tick at 01:00:00Z (±1 s of cron and tick time) did.
      expect(d.claimedAt.getTime()).toBeGreaterThanOrEqual(Date.parse('2026-11-23T01:00:00Z'));
      expect(d.claimedAt.getTime()).toBeLessThan(Date.parse('2026-11-23T01:00:03Z'));
      expect(d.day.toISOString()).toBe('2026-11-22T16:00:00.000Z'); // 2026-11-23 00:00 Beijing
      expect(cards(w, w.secretaries[0]!.openId)).toHaveLength(1);
    });

    it('reliability §7.21: one due at 07:30 Beijing (23:30Z, a Sunday by the UTC date) is keyed to Monday, the Beijing date, and sent', async () => {
      const w = await world(1);
      const s = w.secretaries[0]!;
      const d = await firstDigest(w, new Date('2026-11-22T23:29:57Z'), { WORK_HOURS: '07:30-17:30' });
      expect(d.claimedAt.getTime()).toBeGreaterThanOrEqual(Date.parse('2026-11-22T23:30:00Z'));
      expect(d.claimedAt.getTime()).toBeLessThan(Date.parse('2026-11-22T23:30:03Z'));
      expect(d.day.toISOString()).toBe('2026-11-22T16:00:00.000Z'); // Monday 2026-11-23 in Beijing, not Sunday the 22nd
      const job = await (await app(w, { worker: false })).deps.queue.queue.getJob(digestJobId('duty', s.id, '2026-11-23'));
      expect(job?.data).toEqual({ digestId: d.id });
      // Its reminders were those planned for Monday 2026-11-23 (the five-working-days-before stage).
      const rows = await w.db.prisma.reminder.findMany({ where: { digestId: d.id } });
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.every((r) => r.sendOn.toISOString() === '2026-11-22T16:00:00.000Z')).toBe(true);
      expect(cards(w, s.openId)).toHaveLength(1);
    });
  });

  it('reliability §7.20: a recipient Lark cannot reach (left the tenant) is marked FAILED at once, without retries; the others are sent', async () => {
    const w = await world(2, { resigned: (p) => p.code === 'P21' }); // the second unit's secretary
    const a = await app(w);
    const r = await runReminderTick(a.deps, { now: MONDAY });
    expect(r.digests).toHaveLength(2);
    const [ok, gone] = w.secretaries;
    await until('both digests to be settled', async () => (await w.db.prisma.reminderDigest.count({ where: { status: { in: ['SENT', 'FAILED'] } } })) === 2);
    const failed = await w.db.prisma.reminderDigest.findFirstOrThrow({ where: { recipientId: gone!.id } });
    expect(failed.status).toBe('FAILED');
    expect(failed.error).toContain('230029');
    const rows = await w.db.prisma.reminder.findMany({ where: { digestId: failed.id } });
    expect(rows.every((x) => x.status === 'FAILED' && x.error?.includes('230029'))).toBe(true);
    expect(cards(w, ok!.openId)).toHaveLength(1);
    await drained(w, a); // a retry would be waiting out its backoff, and counted
    expect(w.sandbox.stats().requests['im.v1.message.create']).toBe(2); // one refused call, no retry
  });
});

/** A worker in a child process (test/helpers/reminder-worker.ts), reaching Lark at `larkDomain`. */
async function childWorker(w: World, larkDomain: string): Promise<ChildProcess> {
  return startChildWorker({
    DATABASE_URL: w.db.url,
    QUEUE: w.queueName,
    LARK_DOMAIN: larkDomain,
    LARK_APP_ID: w.sandbox.appId,
    LARK_APP_SECRET: w.sandbox.appSecret,
    CLOCK: MONDAY.toISOString(),
  });
}

/**
 * A proxy in front of the sandbox that forwards the first message send to Lark, and then never
 * answers it: the message is posted, the sender hangs. Everything else passes through.
 */
async function holdingProxy(target: string): Promise<{ url: string; held: Promise<void>; close(): Promise<void> }> {
  let holding = true;
  let onHeld!: () => void;
  const held = new Promise<void>((r) => (onHeld = r));
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && !['host', 'connection', 'content-length'].includes(k)) headers[k] = v;
      const body = Buffer.concat(chunks);
      const up = await fetch(target + req.url, { method: req.method, headers, body: body.length ? body : undefined });
      const out = Buffer.from(await up.arrayBuffer());
      if (holding && req.method === 'POST' && req.url?.startsWith('/open-apis/im/v1/messages')) {
        holding = false;
        onHeld();
        return; // never answered
      }
      const resHeaders: Record<string, string> = {};
      up.headers.forEach((v, k) => {
        if (!['content-length', 'transfer-encoding', 'connection', 'content-encoding'].includes(k)) resHeaders[k] = v;
      });
      res.writeHead(up.status, resHeaders);
      res.end(out);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    held,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
