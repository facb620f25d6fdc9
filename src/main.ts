import 'dotenv/config';
import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { startApp, type App } from './app.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { startEmbeddedPostgres } from './db/embedded.js';
import { isAppError } from './errors.js';
import { createLogger, type Logger } from './logger.js';
import type { MetricsSnapshot } from './metrics.js';
import { syncSandboxUsers } from './people/sandbox-roster.js';
import { startSandbox, type Sandbox } from './sandbox/index.js';

/**
 * Composition root. With nothing configured it runs the whole bot on a machine that has only
 * Node.js: an embedded PostgreSQL (which also carries the queue) and the local Lark sandbox.
 * Set DATABASE_URL / REDIS_URL / LARK_APP_ID+LARK_APP_SECRET to use the real ones instead.
 */
async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`配置错误 (configuration error): ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
  // Pretty logs on a terminal, when the dev tool for them is installed (not in a production install).
  const log = createLogger({ level: config.logLevel, pretty: process.stdout.isTTY && canResolve('pino-pretty') });
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch((err) => log.warn({ err }, 'stop failed'));
  };

  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    try {
      const pg = await startEmbeddedPostgres(config.dataDir, log.child({ part: 'embedded-postgres' }), config.embeddedPgPort);
      stops.push(pg.stop);
      databaseUrl = pg.url;
    } catch (err) {
      // Another instance on this data folder, or no embedded database installed: one clear line.
      if (isAppError(err)) {
        console.error(err.message);
        process.exit(1);
      }
      throw err;
    }
  }

  // From here on a signal stops everything started so far, in reverse order.
  let stopping = false;
  let app: App | undefined;
  let workers: WorkerProcesses | undefined;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    const hardStop = setTimeout(() => {
      log.error('shutdown took too long; exiting');
      process.exit(1);
    }, config.shutdownGraceMs + 15_000);
    hardStop.unref();
    // Intake stops at once; running jobs (here and in the worker processes) get the grace period.
    await Promise.all([workers?.stop(), app?.close(config.shutdownGraceMs)]);
    await stopAll();
    log.info('stopped');
    process.exit(0);
  };
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, () => void shutdown(signal));

  let sandbox: Sandbox | undefined;
  if (config.sandbox) {
    sandbox = await startSandbox({
      port: config.sandbox.port,
      appId: config.lark.appId,
      appSecret: config.lark.appSecret,
      encryptKey: config.lark.encryptKey,
      verificationToken: config.lark.verificationToken,
      delivery: config.lark.eventMode === 'webhook' ? { mode: 'webhook', url: `http://127.0.0.1:${config.port}/lark/events` } : { mode: 'ws' },
      log: (line) => log.debug({ part: 'sandbox' }, line),
    });
    stops.push(() => sandbox!.close());
  }

  try {
    app = await startApp({ config, databaseUrl, log, worker: config.workerProcesses === 0, workerMetrics: () => workers?.snapshots() ?? Promise.resolve([]) });
  } catch (err) {
    log.fatal({ err }, 'start failed');
    await stopAll();
    process.exit(1);
  }
  if (stopping) return; // a signal came while starting; shutdown() is closing what was started

  workers = startWorkerProcesses(config.workerProcesses, { ...process.env, DATABASE_URL: databaseUrl }, log, (signal) => void shutdown(signal));

  if (sandbox) {
    const stopSync = syncSandboxUsers(app.deps.db, sandbox, log);
    stops.push(async () => stopSync());
    console.log(`\n  党建责任制助手 is running against the local Lark sandbox.\n  Open ${sandbox.pageUrl} to chat with the bot.\n`);
  }

  process.on('unhandledRejection', (err) => log.error({ err }, 'unhandled rejection'));
  process.on('uncaughtException', (err) => {
    log.fatal({ err }, 'uncaught exception');
    process.exit(1);
  });
}

function canResolve(pkg: string): boolean {
  try {
    createRequire(import.meta.url).resolve(pkg);
    return true;
  } catch {
    return false;
  }
}

const STOP_SIGNALS = new Set(['SIGTERM', 'SIGINT', 'SIGHUP']);

interface WorkerProcesses {
  stop(): Promise<void>;
  /** Each live worker's metrics (GET /metrics adds them up); one that does not answer within 2 s is left out. */
  snapshots(): Promise<MetricsSnapshot[]>;
}

/**
 * Fork the queue workers; one that dies is started again. A worker that was sent a signal itself
 * says so (message `{ stop: signal }`), and the whole bot stops, as for a signal to this process.
 */
function startWorkerProcesses(n: number, env: NodeJS.ProcessEnv, log: Logger, onStopRequest: (signal: string) => void): WorkerProcesses {
  const file = fileURLToPath(new URL(`./worker-main${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url));
  const children = new Set<ChildProcess>();
  let stopping = false;
  const spawn = () => {
    const child = fork(file, [], { env, stdio: 'inherit' });
    children.add(child);
    child.on('message', (m: { stop?: string }) => {
      if (m?.stop) onStopRequest(`${m.stop} (worker ${child.pid})`);
    });
    child.on('exit', (code, signal) => {
      children.delete(child);
      if (stopping) return;
      // Ended by a signal before it could tell us (e.g. still loading): that is a request to stop too.
      if ((signal && STOP_SIGNALS.has(signal)) || (code !== null && code >= 129 && code <= 143)) return onStopRequest(`${signal ?? `exit ${code}`} (worker ${child.pid})`);
      log.error({ code, signal }, 'worker process exited; starting another');
      setTimeout(spawn, 1000).unref();
    });
  };
  for (let i = 0; i < n; i++) spawn();
  let seq = 0;
  const snapshot = (c: ChildProcess) =>
    new Promise<MetricsSnapshot | undefined>((resolve) => {
      const id = ++seq;
      const onMessage = (m: { metricsReply?: number; data?: MetricsSnapshot }) => {
        if (m?.metricsReply !== id) return;
        clearTimeout(timer);
        c.off('message', onMessage);
        resolve(m.data);
      };
      const timer = setTimeout(() => (c.off('message', onMessage), resolve(undefined)), 2000);
      c.on('message', onMessage);
      c.send({ metricsRequest: id });
    });
  return {
    async snapshots() {
      const all = await Promise.all([...children].filter((c) => c.connected).map(snapshot));
      return all.filter((s): s is MetricsSnapshot => s !== undefined);
    },
    async stop() {
      stopping = true;
      await Promise.all(
        [...children].map(
          (c) =>
            new Promise<void>((resolve) => {
              if (c.exitCode !== null || c.signalCode !== null) return resolve();
              c.once('exit', () => resolve());
              c.kill('SIGTERM');
            }),
        ),
      );
    },
  };
}

void main().catch((err) => {
  console.error(err);
  process.exit(1);
});
