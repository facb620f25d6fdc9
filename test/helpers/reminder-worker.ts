// A worker in a process of its own, for the kill test: `node --import tsx test/helpers/reminder-worker.ts`.
// Env: DATABASE_URL, REDIS_URL, QUEUE, LARK_DOMAIN, LARK_APP_ID, LARK_APP_SECRET, CLOCK (ISO instant);
// optional WORKER_CONCURRENCY (default 1), LARK_APP_PER_SECOND (the pacer's app limit, for a scaled sandbox) and
// SHARED_PACER=1 (pace on one budget kept in Redis with every other process of the app, as production workers do).
// Locks are short (2 s) so a job left by a killed worker is taken over within seconds, not 30 s.
// Prints "ready" when it consumes jobs.
import { loadConfig } from '../../src/config.js';
import { createPrisma } from '../../src/db/client.js';
import type { Deps } from '../../src/deps.js';
import { redisBackend, type QueueBackend } from '../../src/jobs/backend.js';
import { JobQueue } from '../../src/jobs/queue.js';
import { startWorker } from '../../src/jobs/worker.js';
import { createLarkClient } from '../../src/lark/client.js';
import { LarkMessenger } from '../../src/lark/messenger.js';
import { LARK_LIMITS, Pacer } from '../../src/lark/pacer.js';
import { SharedPacer } from '../../src/lark/shared-pacer.js';
import { createLogger } from '../../src/logger.js';
import { loadDomainConfig } from '../../src/ops/domain-config.js';

const env = process.env;
const config = loadConfig({
  LARK_APP_ID: env.LARK_APP_ID,
  LARK_APP_SECRET: env.LARK_APP_SECRET,
  LARK_DOMAIN: env.LARK_DOMAIN,
  DATABASE_URL: env.DATABASE_URL,
  REDIS_URL: env.REDIS_URL,
});
const log = createLogger({ level: env.WORKER_LOG ?? 'silent' });
const concurrency = Number(env.WORKER_CONCURRENCY ?? 1);
const db = createPrisma(config.databaseUrl!, { max: Math.max(4, Math.min(concurrency, 16)) });
const base = redisBackend(config.redisUrl!);
const backend: QueueBackend = {
  ...base,
  makeWorker(name, fn, opts) {
    const short = { ...opts, lockDuration: 2000, stalledInterval: 1000 };
    return base.makeWorker(name, fn, short);
  },
};
const lark = createLarkClient(config.lark, log);
const { catalog, calendar } = loadDomainConfig();
const limits = {
  ...LARK_LIMITS,
  ...(env.LARK_APP_PER_SECOND ? { appPerSecond: Number(env.LARK_APP_PER_SECOND) } : {}),
  ...(env.LARK_APP_PER_MINUTE ? { appPerMinute: Number(env.LARK_APP_PER_MINUTE) } : {}),
};
const clock = () => new Date(env.CLOCK ?? Date.now());
const deps: Deps = {
  config,
  db,
  lark,
  messenger: new LarkMessenger({ client: lark, db, log, pacer: env.SHARED_PACER ? new SharedPacer(config.redisUrl!, config.lark.appId, limits) : new Pacer(limits) }),
  queue: new JobQueue(backend, env.QUEUE),
  log,
  clock,
  catalog,
  calendar,
  botOpenId: 'ou_sandbox_bot',
};
const worker = startWorker(backend, deps, { concurrency, queueName: env.QUEUE });
await worker.waitUntilReady();
process.stdout.write('ready\n');
process.on('SIGTERM', () => {
  void worker.close().then(() => process.exit(0));
});
