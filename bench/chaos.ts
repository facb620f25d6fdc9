// A chaos run: reminders sent through the sandbox (Lark's limits, scaled by --scale) by worker processes
// that are SIGKILLed at random and replaced, while Redis is flushed twice and Lark answers 5xx to ~5 % of
// sends and in 429 bursts. Then it waits for the system to settle (every digest SENT or FAILED) and
// counts per recipient. Prints figures; not a test.
//
//   npx tsx bench/chaos.ts [--reminders 300] [--workers 3] [--scale 10] [--kill-every 4]
//   full run: npx tsx bench/chaos.ts --reminders 10000 --scale 1
//
// Needs PostgreSQL (DATABASE_URL's server; a fresh database, dropped at the end) and Redis (REDIS_URL:
// it is FLUSHED twice, so only ever your own). Recovery after each flush is the bot's own: the reminder
// tick (run here every second with a clock one minute further each time) re-queues claims older than
// five minutes from PostgreSQL; schedulers are re-created by the same tick.
// Not yet covered here: the 5,000-recipient notice and 3-second Lark latency (the sandbox can now
// inject it: sandbox.setLatency('im.v1.message.create', 3000)).
import { randomBytes } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { startApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { silentLogger } from '../src/logger.js';
import { runReminderTick } from '../src/reminders/tick.js';
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
const NOW = new Date('2026-11-23T10:00:00+08:00');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
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
    // The ticking process: no worker of its own; its clock moves one minute per tick.
    let minutes = 0;
    const ticker = await startApp({ config: loadConfig({ ...env, PORT: '0' }), databaseUrl: db.url, log: silentLogger, clock: () => new Date(NOW.getTime() + minutes * 60_000), queueName, intake: false, http: false, worker: false, reminderCron: false });
    for (let i = 0; i < WORKERS; i++) children.add(await startChildWorker(childEnv));

    const t0 = performance.now();
    const settledDigests = () => db.prisma.reminderDigest.count({ where: { status: { in: ['SENT', 'FAILED'] } } });
    let kills = 0;
    let flushes = 0;
    let injected5xx = 0;
    let bursts = 0;
    let lastCreates = 0;
    const chaos = (async () => {
      let lastKill = performance.now();
      let lastBurst = performance.now();
      while (!stop) {
        await runReminderTick(ticker.deps, { now: new Date(NOW.getTime() + minutes * 60_000) }).catch(() => {});
        minutes++;
        const done = await settledDigests();
        // ~5 % of sends answered 500 (a few at a time, as they come).
        const creates = sandbox.stats().requests['im.v1.message.create'] ?? 0;
        const n5xx = Math.round((creates - lastCreates) * 0.05);
        lastCreates = creates;
        if (n5xx > 0) {
          sandbox.failNext('im.v1.message.create', n5xx, { status: 500, code: 0, msg: 'chaos: internal error' });
          injected5xx += n5xx;
        }
        if (performance.now() - lastBurst > 5000) {
          sandbox.failNext('im.v1.message.create', 20, { status: 429, code: 99991400, msg: 'request trigger frequency limit', headers: { 'x-ogw-ratelimit-reset': '1' } });
          bursts++;
          lastBurst = performance.now();
        }
        if ((flushes === 0 && done >= N * 0.25) || (flushes === 1 && done >= N * 0.5)) {
          await redis.flushdb();
          flushes++;
        }
        if (performance.now() - lastKill > KILL_EVERY_S * 1000 && done < N) {
          const victim = [...children][Math.floor(Math.random() * children.size)]!;
          victim.kill('SIGKILL');
          children.delete(victim);
          kills++;
          children.add(await startChildWorker(childEnv));
          lastKill = performance.now();
        }
        await sleep(1000);
      }
    })();

    while ((await settledDigests()) < N) await sleep(250);
    const settleS = (performance.now() - t0) / 1000;
    stop = true;
    await chaos;

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
    const [l1, l5, l15] = (await import('node:os')).loadavg();
    console.log(`chaos run: ${N} reminders, ${WORKERS} worker processes (concurrency 16), sandbox limits ${50 * SCALE}/s and ${1000 * SCALE}/min (×${SCALE}), 5/s per user`);
    console.log(`  chaos: ${kills} SIGKILLs of a worker (every ${KILL_EVERY_S} s, replaced), ${flushes} FLUSHDBs of Redis, ${injected5xx} injected 5xx, ${bursts} bursts of 20 × 429; the sandbox's own limiter answered ${stats.rateLimited} more rate limits`);
    console.log(`  delivered:   ${perUser.size} recipients got their card (${cards.length} cards in all)`);
    console.log(`  duplicates:  ${duplicates} recipients with more than one card (sandbox saw ${stats.duplicateUuids} repeated uuids, each answered with the first message)`);
    console.log(`  lost:        ${lost}`);
    console.log(`  failed:      ${failed.length}${[...reasons].map(([r, n]) => `\n    ${n} × ${r}`).join('')}`);
    console.log(`  settled in:  ${settleS.toFixed(1)} s`);
    console.log(`  load average: ${l1!.toFixed(2)} ${l5!.toFixed(2)} ${l15!.toFixed(2)} (2 cores, shared)`);
    await ticker.close(2000);
  } finally {
    stop = true;
    for (const c of children) c.kill('SIGKILL');
    redis.disconnect();
    await sandbox.close();
    await db.drop();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
