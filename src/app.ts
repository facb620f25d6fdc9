import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Worker } from 'bullmq';
import { webhookRejectAuditor } from './access/rejects.js';
import { Intake, type IntakeLimits } from './bot/intake.js';
import { createWebhookHandler } from './bot/webhook.js';
import { startWsTransport, type WsTransport } from './bot/ws.js';
import type { Config } from './config.js';
import { createPrisma, type Db } from './db/client.js';
import { applyMigrations, ensureDatabase } from './db/migrate.js';
import type { Deps } from './deps.js';
import { postgresBackend, redisBackend, type QueueBackend } from './jobs/backend.js';
import { JobQueue, QUEUE_NAME } from './jobs/queue.js';
import { ensureSchedulers } from './jobs/schedulers.js';
import { requeueStoredEvents } from './jobs/recover-inbound.job.js';
import { isAppError } from './errors.js';
import { releaseRunningJobs, startWorker } from './jobs/worker.js';
import { createLarkClient, type LarkClient } from './lark/client.js';
import { LarkMessenger } from './lark/messenger.js';
import { LARK_LIMITS, Pacer, type PacerLimits } from './lark/pacer.js';
import { SharedPacer } from './lark/shared-pacer.js';
import type { Logger } from './logger.js';
import { metrics, render as renderMetrics, watch as watchMetrics, type MetricsSnapshot } from './metrics.js';
import { healthCheck } from './ops/health.js';
import { startReminderCron, type ReminderCron } from './reminders/cron.js';
import { loadDomainConfig, startDomainSync, watchCatalog } from './ops/domain-config.js';

export interface AppOptions {
  config: Config;
  /** The database to use (main.ts resolves the embedded default before calling). */
  databaseUrl: string;
  log: Logger;
  clock?: () => Date;
  /** Queue name, so parallel test runs do not share jobs. */
  queueName?: string;
  /** Run the worker in this process (default true). */
  worker?: boolean;
  /** Run the intake transport in this process (default true). */
  intake?: boolean;
  /** Serve HTTP: webhook intake and /healthz (default true). */
  http?: boolean;
  /** Upsert the cron schedulers (default true). */
  schedulers?: boolean;
  /** Run the reminder tick (node-cron, every 5 minutes) in this process (default: as `schedulers`). */
  reminderCron?: boolean;
  /** The reminder tick's cron pattern (default every 5 minutes; tests tick every second). */
  reminderCronPattern?: string;
  workerConcurrency?: number;
  /** The tenant whose events are served (default: LARK_TENANT_KEY, else asked from Lark at start). */
  tenantKey?: string;
  /** Lark's limits for this process's send pacer (default LARK_LIMITS); a benchmark against a sandbox with scaled-up limits scales these the same way. */
  larkLimits?: PacerLimits;
  /** Snapshots of the worker processes' metrics, added to this process's on GET /metrics. */
  workerMetrics?: () => Promise<MetricsSnapshot[]>;
  /** What shares one send budget in Redis (default: the Lark app id); tests give each bot its own. */
  pacerScope?: string;
  /** The acknowledgement path's bounds (default INTAKE_LIMITS in src/bot/intake.ts). */
  intakeLimits?: Partial<IntakeLimits>;
}

export interface App {
  readonly deps: Deps;
  readonly port: number;
  readonly intake: Intake;
  readonly backend: QueueBackend;
  /** Resolves when events can arrive (the long connection is up; at once in webhook mode). */
  readonly ready: Promise<void>;
  /** Stop intake, let running jobs finish (bounded), close connections. */
  close(timeoutMs?: number): Promise<void>;
}

/** Builds and starts the bot: HTTP (webhook + health), WS intake, worker, schedulers. */
export async function startApp(o: AppOptions): Promise<App> {
  const { config, log } = o;
  const clock = o.clock ?? (() => new Date());

  await ensureDatabase(o.databaseUrl);
  const migrated = await applyMigrations(o.databaseUrl);
  if (migrated.applied.length) log.info({ applied: migrated.applied }, 'migrations applied');

  const db: Db = createPrisma(o.databaseUrl);
  const backend = config.redisUrl ? redisBackend(config.redisUrl) : postgresBackend(o.databaseUrl);
  // Redis not there (yet): start anyway. Events are stored in PostgreSQL before Lark is answered, jobs
  // wait for the connection, which keeps being retried; when Redis comes, see onReconnect below.
  const queueUp = await backend.check().then(
    () => true,
    (err) => {
      if (!isAppError(err, 'queue_unavailable')) throw err;
      log.error({ err: err.message }, 'Redis is not reachable; starting anyway: events are stored and acknowledged, and handled once Redis is reachable (GET /healthz says 503 until then)');
      return false;
    },
  );
  const queue = new JobQueue(backend, o.queueName ?? QUEUE_NAME);
  const lark: LarkClient = createLarkClient(config.lark, log);
  // With Redis, every replica (and worker process) of this Lark app paces its sends on one budget kept there.
  const larkLimits = o.larkLimits ?? { ...LARK_LIMITS, appPerSecond: config.larkAppPerSecond, appPerMinute: config.larkAppPerMinute };
  const sharedPacer = config.redisUrl ? new SharedPacer(config.redisUrl, o.pacerScope ?? config.lark.appId, larkLimits) : undefined;
  const messenger = new LarkMessenger({ client: lark, db, log, pacer: sharedPacer ?? new Pacer(larkLimits) });
  const botOpenId = await fetchBotOpenId(lark, log);

  const { catalog, calendar } = loadDomainConfig();
  const stopWatching = watchCatalog(catalog, log);
  const deps: Deps = { config, db, lark, messenger, queue, log, clock, botOpenId, catalog, calendar };
  const stopSync = await startDomainSync(deps, config.configRefreshMs);
  const intake = new MeasuredIntake(config.lark.eventMode, {
    db,
    queue,
    log,
    appId: config.lark.appId,
    tenantKey: o.tenantKey ?? config.lark.tenantKey ?? (await fetchTenantKey(lark, log)),
    verificationToken: config.lark.verificationToken,
    limits: o.intakeLimits,
  });

  let worker: Worker | undefined;
  if (o.worker !== false) {
    worker = startWorker(backend, deps, { concurrency: o.workerConcurrency, queueName: o.queueName });
    worker.on('completed', (job) => metrics.job(job.name, 'completed'));
    worker.on('failed', (job) => job && metrics.job(job.name, job.attemptsMade >= (job.opts.attempts ?? 1) ? 'failed_final' : 'failed'));
  }
  if (o.schedulers !== false && queueUp) await ensureSchedulers(queue, clock(), { resume: false });
  if (o.schedulers !== false) {
    // Redis appeared after the start, or came back after an outage (perhaps without its data): put the
    // schedulers back and queue at once what was stored meanwhile (enqueues failed or never ran).
    let first = !queueUp;
    backend.onReconnect(() => {
      const why = first ? 'appeared after the start' : 'reconnected';
      first = false;
      void (async () => {
        await backend.check();
        const recreated = await ensureSchedulers(queue, clock());
        const requeued = await requeueStoredEvents(deps, { minAgeMs: 0 });
        log.warn({ recreated, requeued }, `Redis ${why}: job schedulers checked, stored events queued`);
      })().catch((err) => log.error({ err }, `Redis ${why}, but the queue could not be restored; the reminder tick retries`));
    });
  }

  let reminderCron: ReminderCron | undefined;
  if (o.reminderCron ?? o.schedulers !== false) {
    reminderCron = startReminderCron(deps, { pattern: o.reminderCronPattern, ensureSchedulers: o.schedulers !== false });
  }

  const webhook =
    config.lark.eventMode === 'webhook' && o.intake !== false
      ? createWebhookHandler({ encryptKey: config.lark.encryptKey!, verificationToken: config.lark.verificationToken, intake, log, onReject: webhookRejectAuditor(db, log) })
      : undefined;
  if (o.http !== false) watchMetrics({ db, queue, clock, queueUnavailable: backend.unavailable });
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/lark/events' && webhook) {
      const t = performance.now();
      res.once('finish', () => metrics.webhookAnswered(res.statusCode, (performance.now() - t) / 1000));
      return webhook(req, res);
    }
    if (req.method !== 'GET') return notFound(res);
    // Live: the process serves. Ready (also plain /healthz, the image's HEALTHCHECK): the database,
    // the queue and Lark's token all answer; 503 with what is wrong otherwise.
    if (path === '/healthz/live') return json(res, 200, { ok: true, live: true });
    if (path === '/healthz' || path === '/healthz/ready') {
      void healthCheck({ db, queue, lark, queueUnavailable: backend.unavailable }).then((h) => json(res, h.ok ? 200 : 503, h));
      return;
    }
    if (path === '/metrics') {
      void (o.workerMetrics?.() ?? Promise.resolve([]))
        .then((others) => renderMetrics(others))
        .then(
          (m) => (res.writeHead(200, { 'content-type': m.contentType }), res.end(m.body)),
          (err) => (log.warn({ err }, 'metrics failed'), json(res, 500, { error: String(err) })),
        );
      return;
    }
    notFound(res);
  });
  server.keepAliveTimeout = 65_000;
  // With the sandbox as Lark (a developer's machine) only this machine may post events.
  const host = config.sandbox ? '127.0.0.1' : '0.0.0.0';
  if (o.http !== false) await new Promise<void>((resolve) => server.listen(config.port, host, resolve));
  const port = o.http !== false ? (server.address() as AddressInfo).port : 0;

  let ws: WsTransport | undefined;
  if (config.lark.eventMode === 'ws' && o.intake !== false) ws = startWsTransport(config.lark, intake, log);
  log.info({ port, eventMode: config.lark.eventMode, queue: backend.kind }, 'bot started');

  let closing: Promise<void> | undefined;
  const close = (timeoutMs = 10_000) =>
    (closing ??= (async () => {
      ws?.close();
      stopWatching();
      stopSync();
      await reminderCron?.stop();
      if (server.listening) {
        await new Promise<void>((r) => server.close(() => r()));
        server.closeAllConnections();
      }
      const bounded = <T>(p: Promise<T>) => Promise.race([p, new Promise<void>((r) => setTimeout(r, timeoutMs).unref())]);
      // Events already answered are written and their jobs queued (recover-inbound would queue them otherwise).
      await bounded(intake.drained());
      // Running jobs may finish within the bound; those still running then are handed back to the queue
      // (lock removed, back to waiting) for the next worker, and this process does not wait for them.
      if (worker) {
        const closed = worker.close().then(
          () => true,
          () => true,
        );
        if (!(await bounded(closed))) {
          const released = await releaseRunningJobs(worker);
          log.warn({ released, graceMs: timeoutMs }, 'jobs still running when the grace period ended were handed back to the queue');
        }
      }
      await queue.close().catch(() => {});
      await backend.close();
      await sharedPacer?.close();
      await db.$disconnect();
      log.info('bot stopped');
    })());

  return { deps, port, intake, backend, ready: ws?.ready ?? Promise.resolve(), close };
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function notFound(res: http.ServerResponse): void {
  json(res, 404, { code: 404, msg: 'not found' });
}

/** Intake that counts what it takes in and, on the long connection, how long Lark waits for the ack. */
class MeasuredIntake extends Intake {
  constructor(
    private readonly transport: 'ws' | 'webhook',
    o: ConstructorParameters<typeof Intake>[0],
  ) {
    super(o);
  }
  override async accept(raw: unknown): ReturnType<Intake['accept']> {
    const t = performance.now();
    const result = await super.accept(raw);
    metrics.event(result.status);
    if (this.transport === 'ws') metrics.wsAcked((performance.now() - t) / 1000);
    return result;
  }
}

/** The tenant the app is installed in, from Lark; 'learn' (from the first event) when the app may not ask. */
async function fetchTenantKey(lark: LarkClient, log: Logger): Promise<string | 'learn'> {
  try {
    const res = (await lark.request({ method: 'GET', url: '/open-apis/tenant/v2/tenant/query' })) as { data?: { tenant?: { tenant_key?: string } } };
    const key = res.data?.tenant?.tenant_key;
    if (key) return key;
    throw new Error('no tenant.tenant_key in /tenant/v2/tenant/query');
  } catch (err) {
    log.warn({ err }, 'cannot ask Lark for the tenant (scope tenant:tenant:readonly?); serving the tenant of the first event. Set LARK_TENANT_KEY to name it.');
    return 'learn';
  }
}

async function fetchBotOpenId(lark: LarkClient, log: Logger): Promise<string> {
  try {
    const res = (await lark.request({ method: 'GET', url: '/open-apis/bot/v3/info' })) as { bot?: { open_id?: string } };
    const id = res.bot?.open_id;
    if (id) return id;
    throw new Error('no bot.open_id in /bot/v3/info');
  } catch (err) {
    log.error({ err }, 'cannot read the bot identity from Lark; check LARK_APP_ID / LARK_APP_SECRET and that the bot capability is enabled');
    throw err;
  }
}
