// A chaos run: reminders sent through the sandbox (Lark's limits, scaled by --scale) by worker processes
// that are SIGKILLed at random and replaced, while Redis is flushed twice and Lark answers 5xx to ~5 % of
// sends, in 1-second 429 bursts and with 3-second latency spans. Then it waits for the system to settle
// (every digest SENT or FAILED) and counts per recipient. Prints figures; not a test.
//
//   npx tsx bench/chaos.ts [--reminders 300] [--workers 3] [--scale 10] [--kill-every 4] [--settle-timeout 600] [--stale 5]
//   full run: npx tsx bench/chaos.ts --reminders 10000 --scale 1
//
// Needs PostgreSQL (DATABASE_URL's server; a fresh database, dropped at the end) and Redis (REDIS_URL:
// it is FLUSHED twice, so only ever your own). Recovery after each flush is the bot's own: what the
// reminder cron does (re-create lost job schedulers, then tick: hand out again claims not sent after
// --stale seconds, reviving jobs whose attempts are spent) runs every second instead of every 5 minutes.
// It prints where things stand every 5 s; if nothing settles the run within --settle-timeout seconds, it
// says per recipient what is missing and why (the digest, its send's OutboundMessage, its job in Redis).
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { ChildProcess } from 'node:child_process';
import type { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { startApp } from '../src/app.js';
import { ensureSchedulers } from '../src/jobs/schedulers.js';
import { loadConfig } from '../src/config.js';
import { silentLogger } from '../src/logger.js';
import { digestJobId, runReminderTick } from '../src/reminders/tick.js';
import { sendUuid } from '../src/lark/messenger.js';
import { REMINDER_PURPOSE, digestSendKey } from '../src/reminders/send.js';
import type { FreshDatabase } from '../test/helpers/db.js';
import { beijingDay } from '../src/domain/calendar/working-days.js';
import { startSandbox } from '../src/sandbox/index.js';
import { redisUrl, sandboxBotEnv } from '../test/helpers/bot.js';
import { startChildWorker } from '../test/helpers/child-worker.js';
import { freshDatabase } from '../test/helpers/db.js';
import { seedOneReminderEach } from './common.js';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const N = arg('reminders', 300);
const WORKERS = arg('workers', 3);
const SCALE = arg('scale', 10);
const KILL_EVERY_S = arg('kill-every', 4);
const SETTLE_TIMEOUT_S = arg('settle-timeout', 600);
const STALE_S = arg('stale', 5);
const NOW = new Date('2026-11-23T10:00:00+08:00');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const tStart = performance.now();
  const users = Array.from({ length: N }, (_, i) => ({ openId: `ou_chaos_${i + 1}`, name: `书记${i + 1}` }));
  const sandbox = await startSandbox({ port: 0, delivery: { mode: 'none' }, users, rateLimit: { appPerSecond: 50 * SCALE, appPerMinute: 1000 * SCALE, perTargetPerSecond: 5 } });
  const db = await freshDatabase('bench_chaos');
  const children = new Set<ChildProcess>();
  const redis = new Redis(redisUrl());
  let stop = false;
  try {
    await seedOneReminderEach(db.prisma, N, 'ou_chaos_');

    const queueName = `chaos-${randomBytes(3).toString('hex')}`;
    const env = sandboxBotEnv(sandbox, db.url);
    const childEnv = { ...env, QUEUE: queueName, CLOCK: NOW.toISOString(), WORKER_CONCURRENCY: '16', LARK_APP_PER_SECOND: String(48 * SCALE) };
    // The ticking process: no worker of its own. It does what the reminder cron does (re-create the job
    // schedulers Redis lost, then tick), every second instead of every five minutes, on a clock that runs
    // with real time from NOW (so it stays in working hours), handing out again claims older than STALE_S.
    const clock = () => new Date(NOW.getTime() + (performance.now() - tStart));
    const ticker = await startApp({ config: loadConfig({ ...env, PORT: '0' }), databaseUrl: db.url, log: silentLogger, clock, queueName, intake: false, http: false, worker: false, reminderCron: false });
    for (let i = 0; i < WORKERS; i++) children.add(await startChildWorker(childEnv));

    const t0 = performance.now();
    const settledDigests = () => db.prisma.reminderDigest.count({ where: { kind: 'duty', status: { in: ['SENT', 'FAILED'] } } });
    let kills = 0;
    let flushes = 0;
    let injected5xx = 0;
    let bursts = 0;
    let slowSpans = 0;
    let lastCreates = 0;
    let startFailures = 0;
    const chaos = (async () => {
      // A worker is killed at a random moment 0.5–1.5 × KILL_EVERY_S after the last kill, but only once
      // something has settled since then: however slow the machine, kills cannot outrun the work.
      const nextKillIn = () => KILL_EVERY_S * 1000 * (0.5 + Math.random());
      let killAt = performance.now() + nextKillIn();
      let doneAtKill = 0;
      let lastBurst = performance.now();
      let lastSlow = 0;
      while (!stop) {
        await ensureSchedulers(ticker.deps.queue, clock()).catch(() => {});
        await runReminderTick(ticker.deps, { now: clock(), staleClaimMs: STALE_S * 1000 }).catch(() => {});
        const done = await settledDigests();
        // ~5 % of sends answered 500 (a few at a time, as they come).
        const creates = sandbox.stats().requests['im.v1.message.create'] ?? 0;
        const n5xx = Math.round((creates - lastCreates) * 0.05);
        lastCreates = creates;
        if (n5xx > 0) {
          sandbox.failNext('im.v1.message.create', n5xx, { status: 500, code: 0, msg: 'chaos: internal error' });
          injected5xx += n5xx;
        }
        // Every 10 s a 1-second burst of 429s, and 5 s later 2 seconds in which every send is answered
        // 3 s late. Bursts are spans of time, not a number of calls: a count of injected failures would
        // pile up when few sends are left and answer every last one 429 forever.
        if (performance.now() - lastBurst > 10_000) {
          sandbox.failFor('im.v1.message.create', 1000, { status: 429, code: 99991400, msg: 'request trigger frequency limit', headers: { 'x-ogw-ratelimit-reset': '1' } });
          bursts++;
          lastBurst = performance.now();
        }
        if (performance.now() - lastSlow > 10_000 && performance.now() - lastBurst > 5000) {
          sandbox.delayFor('im.v1.message.create', 2000, 3000);
          slowSpans++;
          lastSlow = performance.now();
        }
        if ((flushes === 0 && done >= N * 0.25) || (flushes === 1 && done >= N * 0.5)) {
          await redis.flushdb();
          flushes++;
        }
        if (performance.now() >= killAt && done > doneAtKill && done < N && children.size) {
          const victim = [...children][Math.floor(Math.random() * children.size)]!;
          victim.kill('SIGKILL');
          children.delete(victim);
          kills++;
          doneAtKill = done;
          killAt = performance.now() + nextKillIn();
        }
        // Replace what was killed (a start that times out on a busy machine is tried again next round).
        while (children.size < WORKERS && !stop) {
          try {
            children.add(await startChildWorker(childEnv));
          } catch {
            startFailures++;
            break;
          }
        }
        await sleep(1000);
      }
    })();

    // Wait for every digest to be SENT or FAILED, saying where things stand every 5 s; after the settle
    // timeout, say what is missing and why instead of waiting on.
    const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');
    const queue = ticker.deps.queue.queue;
    let lastProgress = performance.now();
    let settled = false;
    for (;;) {
      if ((await settledDigests()) >= N) {
        settled = true;
        break;
      }
      if (performance.now() - t0 > SETTLE_TIMEOUT_S * 1000) break;
      if (performance.now() - lastProgress >= 5000) {
        lastProgress = performance.now();
        const byStatus = await digestsByStatus(db.prisma);
        const jobs = await queue.getJobCounts('wait', 'active', 'delayed', 'failed', 'completed').catch(() => ({}));
        console.log(
          `  ${((performance.now() - t0) / 1000).toFixed(0)} s: digests ${fmt(byStatus)} of ${N}; jobs ${fmt(jobs)}; ` +
            `creates ${sandbox.stats().requests['im.v1.message.create'] ?? 0}; ${kills} kills, ${flushes} flushes; load ${load()}`,
        );
      }
      await sleep(250);
    }
    const settleS = (performance.now() - t0) / 1000;
    stop = true;
    await chaos;
    if (!settled) {
      console.log(`NOT SETTLED after ${settleS.toFixed(0)} s (--settle-timeout ${SETTLE_TIMEOUT_S}); what is missing and why:`);
      await explainMissing(db.prisma, queue, N);
    }

    const cards = sandbox.sent().filter((m) => m.kind === 'create');
    const perUser = new Map<string, number>();
    for (const c of cards) perUser.set(c.toOpenId!, (perUser.get(c.toOpenId!) ?? 0) + 1);
    const failed = await db.prisma.reminderDigest.findMany({ where: { status: 'FAILED' }, select: { error: true, recipientId: true } });
    const failedIds = new Set(failed.map((f) => `ou_chaos_${f.recipientId}`));
    const duplicates = [...perUser.values()].filter((n) => n > 1).length;
    const lost = users.filter((u) => !perUser.has(u.openId) && !failedIds.has(u.openId)).length;
    const reasons = new Map<string, number>();
    for (const f of failed) reasons.set((f.error ?? 'no reason').slice(0, 80), (reasons.get((f.error ?? 'no reason').slice(0, 80)) ?? 0) + 1);
    const stats = sandbox.stats();
    console.log(`chaos run: ${N} reminders, ${WORKERS} worker processes (concurrency 16), sandbox limits ${50 * SCALE}/s and ${1000 * SCALE}/min (×${SCALE}), 5/s per user`);
    console.log(`  chaos: ${kills} SIGKILLs of a random worker (every ${KILL_EVERY_S / 2}–${KILL_EVERY_S * 1.5} s once something settled since the last, replaced; ${startFailures} replacement starts timed out and were retried), ${flushes} FLUSHDBs of Redis, ${injected5xx} injected 5xx, ${bursts} one-second bursts of 429, ${slowSpans} two-second spans of 3-s latency; the sandbox's own limiter answered ${stats.rateLimited} more rate limits`);
    console.log(`  delivered:   ${perUser.size} recipients got their card (${cards.length} cards in all)`);
    console.log(`  duplicates:  ${duplicates} recipients with more than one card (sandbox saw ${stats.duplicateUuids} repeated uuids, each answered with the first message)`);
    console.log(`  lost:        ${lost}`);
    console.log(`  failed:      ${failed.length}${[...reasons].map(([r, n]) => `\n    ${n} × ${r}`).join('')}`);
    console.log(`  settled in:  ${settleS.toFixed(1)} s`);
    console.log(`  load average: ${load()} (2 cores, shared)`);
    await ticker.close(2000);
  } finally {
    stop = true;
    for (const c of children) c.kill('SIGKILL');
    redis.disconnect();
    await sandbox.close();
    await db.drop();
  }
}

const fmt = (o: Record<string, number>) =>
  Object.entries(o)
    .filter(([, n]) => n)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ') || 'none';

async function digestsByStatus(db: FreshDatabase['prisma']): Promise<Record<string, number>> {
  const rows = await db.reminderDigest.groupBy({ by: ['status'], _count: { _all: true } });
  return Object.fromEntries(rows.map((r) => [r.status, r._count._all]));
}

/**
 * Per recipient without a SENT or FAILED digest: the digest (or none), its send's OutboundMessage and its
 * job's state in Redis, grouped, with a few examples of each group.
 */
async function explainMissing(db: FreshDatabase['prisma'], queue: Queue, n: number): Promise<void> {
  const digests = await db.reminderDigest.findMany({ where: { kind: 'duty' } });
  const byRecipient = new Map(digests.map((d) => [d.recipientId, d]));
  const groups = new Map<string, string[]>();
  for (let id = 1; id <= n; id++) {
    const d = byRecipient.get(id);
    if (d && (d.status === 'SENT' || d.status === 'FAILED')) continue;
    let why: string;
    if (!d) {
      const r = await db.reminder.findFirst({ where: { recipientId: id }, select: { status: true, error: true } });
      why = `no digest; reminder ${r?.status ?? 'missing'}${r?.error ? ` (${r.error})` : ''}`;
    } else {
      const out = await db.outboundMessage.findUnique({ where: { uuid: sendUuid(REMINDER_PURPOSE, digestSendKey(d)) } });
      const job = await queue.getJob(digestJobId(d.kind as 'duty', d.recipientId, beijingDay(d.day)));
      const state = job ? await job.getState() : 'no job in Redis';
      why =
        `digest ${d.status}${d.error ? ` (${d.error.slice(0, 60)})` : ''}; send ${out ? `${out.status}${out.errorCode ? ` ${out.errorCode}` : ''}` : 'never tried'}; ` +
        `job ${state}${job?.failedReason ? ` (${job.failedReason.slice(0, 60)}; ${job.attemptsMade} attempts)` : ''}`;
    }
    groups.set(why, [...(groups.get(why) ?? []), `ou_chaos_${id}`]);
  }
  for (const [why, who] of groups) console.log(`  ${who.length} × ${why}: ${who.slice(0, 5).join(', ')}${who.length > 5 ? ', …' : ''}`);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
