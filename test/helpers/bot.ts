// The whole bot on real parts for one end-to-end test file: its own PostgreSQL database, a
// uniquely named queue on the real Redis, and the local Lark sandbox as its Lark, reached
// through the real SDK (LARK_DOMAIN = the sandbox's address).

import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { startApp, type App, type AppOptions } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { larkSignature } from '../../src/bot/webhook.js';
import { silentLogger, createLogger, type Logger } from '../../src/logger.js';
import { startSandbox, type Sandbox, type SandboxOptions, type SentMessage } from '../../src/sandbox/index.js';
import type { Queue } from 'bullmq';
import type { PrismaClient } from '../../src/db/client.js';
import { freshDatabase, type FreshDatabase } from './db.js';

export interface TestBot {
  sandbox: Sandbox;
  app: App;
  db: FreshDatabase;
  /** The bot's webhook address. */
  webhookUrl: string;
  close(): Promise<void>;
}

export function redisUrl(): string {
  return process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
}

/**
 * The environment of a bot whose Lark is this sandbox: its app credentials and address, webhook mode
 * (or ws), the database, the real Redis. Tests and benchmarks start the bot with this (plus PORT …).
 */
export function sandboxBotEnv(
  sandbox: { appId: string; appSecret: string; baseUrl: string; encryptKey: string; verificationToken: string },
  databaseUrl: string,
  mode: 'webhook' | 'ws' = 'webhook',
): Record<string, string> {
  return {
    LARK_APP_ID: sandbox.appId,
    LARK_APP_SECRET: sandbox.appSecret,
    LARK_DOMAIN: sandbox.baseUrl,
    LARK_EVENT_MODE: mode,
    LARK_ENCRYPT_KEY: sandbox.encryptKey,
    LARK_VERIFICATION_TOKEN: sandbox.verificationToken,
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl(),
  };
}

/** Test-only placeholder schedules (no holidays) for `years`, as if OD staff had entered them; not real dates. */
export async function markYearsKnown(db: FreshDatabase['prisma'], years: readonly number[] = [2027]): Promise<void> {
  await db.calendarSchedule.createMany({ data: years.map((year) => ({ year, holidays: [], workdays: [], enteredBy: 'test-placeholder' })) });
}

export async function startTestBot(
  opts: {
    mode?: 'webhook' | 'ws';
    sandbox?: SandboxOptions;
    clock?: () => Date;
    redis?: boolean;
    log?: Logger;
    /** Extra environment for loadConfig (e.g. URGENT_AFTER_WORKING_DAYS). */
    env?: Record<string, string>;
    /**
     * Years to treat as having a holiday schedule though none is published yet (default [2027]: the
     * tests are set in late 2026, when the OD's digest would otherwise warn that 2027 is missing).
     * A placeholder with no holidays: only weekends are off, as before. [] leaves the calendar alone.
     */
    knownYears?: number[];
    /** Run the reminder cron (default false: tests tick by hand with runReminderTick). */
    reminderCron?: boolean;
    intakeLimits?: AppOptions['intakeLimits'];
    /** The reminder cron's pattern when it runs (e.g. every second: '* * * * * *'). */
    reminderCronPattern?: string;
  } = {},
): Promise<TestBot> {
  const mode = opts.mode ?? 'webhook';
  const log = opts.log ?? (process.env.TEST_LOG ? createLogger({ level: process.env.TEST_LOG }) : silentLogger);
  const sandbox = await startSandbox({ port: 0, delivery: { mode: 'none' }, ...opts.sandbox });
  const db = await freshDatabase('e2e');
  const { REDIS_URL, ...env } = sandboxBotEnv(sandbox, db.url, mode);
  const config = loadConfig({ ...env, ...(opts.redis === false ? {} : { REDIS_URL }), PORT: '0', ...opts.env });
  const queueName = `e2e-${randomBytes(4).toString('hex')}`;
  const app = await startApp({
    config,
    databaseUrl: db.url,
    log,
    clock: opts.clock,
    queueName,
    pacerScope: queueName, // each test bot its own send budget in Redis
    workerConcurrency: 8,
    reminderCron: opts.reminderCron ?? false,
    intakeLimits: opts.intakeLimits,
    reminderCronPattern: opts.reminderCronPattern,
  });
  const knownYears = opts.knownYears ?? [2027];
  if (knownYears.length) {
    await markYearsKnown(db.prisma, knownYears);
    await app.deps.calendar.refresh(db.prisma);
  }
  const webhookUrl = `http://127.0.0.1:${app.port}/lark/events`;
  sandbox.setDelivery(mode === 'webhook' ? { mode: 'webhook', url: webhookUrl } : { mode: 'ws' });
  await app.ready;
  return {
    sandbox,
    app,
    db,
    webhookUrl,
    async close() {
      await app.close(2000);
      await sandbox.close();
      await db.drop();
    },
  };
}

/** A user sends `text` to the bot; the bot's reply to it. */
export async function botReply(bot: TestBot, from: string, text: string): Promise<SentMessage> {
  const id = await bot.sandbox.userSends({ from, text });
  return bot.sandbox.waitFor((m) => m.parentId === id);
}

/** Encrypt and sign an envelope exactly as Lark does for a webhook push. */
export function signedRequest(envelope: unknown, encryptKey: string, opts: { timestamp?: number } = {}) {
  const key = createHash('sha256').update(encryptKey).digest();
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-256-cbc', key, iv);
  const encrypt = Buffer.concat([iv, cipher.update(JSON.stringify(envelope), 'utf8'), cipher.final()]).toString('base64');
  const body = JSON.stringify({ encrypt });
  const timestamp = String(opts.timestamp ?? Math.floor(Date.now() / 1000));
  const nonce = randomBytes(8).toString('hex');
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'x-lark-request-timestamp': timestamp,
      'x-lark-request-nonce': nonce,
      'x-lark-signature': larkSignature(timestamp, nonce, encryptKey, body),
    },
  };
}

/** A text message envelope from a user, as Lark delivers it. */
export function messageEnvelope(o: {
  appId: string;
  token: string;
  from: string;
  chatId: string;
  text: string;
  messageId?: string;
  chatType?: 'p2p' | 'group';
  tenantKey?: string;
  senderType?: string;
}) {
  const now = Date.now();
  return {
    schema: '2.0',
    header: {
      event_id: randomBytes(16).toString('hex'),
      event_type: 'im.message.receive_v1',
      create_time: String(now),
      token: o.token,
      app_id: o.appId,
      tenant_key: o.tenantKey ?? 'sandbox-tenant',
    },
    event: {
      sender: { sender_id: { open_id: o.from }, sender_type: o.senderType ?? 'user', tenant_key: o.tenantKey ?? 'sandbox-tenant' },
      message: {
        message_id: o.messageId ?? `om_${randomBytes(12).toString('hex')}`,
        create_time: String(now),
        chat_id: o.chatId,
        chat_type: o.chatType ?? 'p2p',
        message_type: 'text',
        content: JSON.stringify({ text: o.text }),
      },
    },
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Poll `probe` until it returns a truthy value (returned), or fail after `timeoutMs` naming `what`. */
export async function until<T>(what: string, probe: () => Promise<T> | T, timeoutMs = 15_000, everyMs = 50): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/**
 * Wait until the bot has nothing left to do: no event on its way from the sandbox (pushed, not yet
 * answered), no job waiting or running in its queue (nor a retry waiting out its backoff), and every
 * stored event handled — seen twice in a row, so that a job queued by the last one is counted too.
 * Tests that check "nothing more happens" (no second message, no second row) wait on this, then count:
 * a late duplicate is then caught, where after a fixed sleep it would land unseen.
 */
export async function settled(bot: TestBot, timeoutMs = 15_000): Promise<void> {
  await quiet({ queue: bot.app.deps.queue.queue, db: bot.db.prisma, sandbox: bot.sandbox }, timeoutMs);
}

/** settled() for a bot put together by hand: its queue, its database and (if events reach it) its sandbox. */
export async function quiet(o: { queue: Queue; db: PrismaClient; sandbox?: Sandbox }, timeoutMs = 15_000): Promise<void> {
  let quietTimes = 0;
  await until(
    'the queue to drain and stored events to settle',
    async () => {
      const c = await o.queue.getJobCounts('waiting', 'active', 'prioritized', 'waiting-children');
      // Delayed jobs count (a retry waiting out its backoff), except the schedulers' next runs.
      const retrying = (await o.queue.getDelayed()).filter((j) => !String(j.id).startsWith('repeat:')).length;
      const unhandled = await o.db.inboundEvent.count({ where: { status: 'RECEIVED' } });
      const busy = (o.sandbox?.stats().pushing ?? 0) + Object.values(c).reduce((a, b) => a + b, 0) + retrying + unhandled;
      quietTimes = busy === 0 ? quietTimes + 1 : 0;
      return quietTimes >= 2;
    },
    timeoutMs,
    100,
  );
}

/** A second bot process on the same database and Redis (no intake, HTTP, worker or schedulers): what another replica sees. */
export async function startReplica(bot: TestBot, env: Record<string, string> = {}): Promise<App> {
  const { REDIS_URL, ...base } = sandboxBotEnv(bot.sandbox, bot.db.url);
  return startApp({
    config: loadConfig({ ...base, REDIS_URL, PORT: '0', CONFIG_REFRESH_SECONDS: '0.2', ...env }),
    databaseUrl: bot.db.url,
    log: silentLogger,
    queueName: `e2e-replica-${randomBytes(4).toString('hex')}`,
    worker: false,
    http: false,
    intake: false,
    schedulers: false,
  });
}
