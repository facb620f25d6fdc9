import 'dotenv/config';
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startApp, type App } from './app.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { startEmbeddedPostgres } from './db/embedded.js';
import { createLogger, type Logger } from './logger.js';
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
  const log = createLogger({ level: config.logLevel, pretty: process.stdout.isTTY });
  const stops: Array<() => Promise<void>> = [];

  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    const pg = await startEmbeddedPostgres(config.dataDir, log.child({ part: 'embedded-postgres' }));
    stops.push(pg.stop);
    databaseUrl = pg.url;
  }

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

  let app: App;
  try {
    app = await startApp({ config, databaseUrl, log, worker: config.workerProcesses === 0 });
  } catch (err) {
    log.fatal({ err }, 'start failed');
    for (const stop of stops.reverse()) await stop().catch(() => {});
    process.exit(1);
  }

  const workers = startWorkerProcesses(config.workerProcesses, { ...process.env, DATABASE_URL: databaseUrl }, log);

  if (sandbox) {
    console.log(`\n  党建责任制助手 is running against the local Lark sandbox.\n  Open ${sandbox.pageUrl} to chat with the bot.\n`);
  }

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    const hardStop = setTimeout(() => {
      log.error('shutdown took too long; exiting');
      process.exit(1);
    }, 20_000);
    hardStop.unref();
    await workers.stop();
    await app.close(10_000);
    for (const stop of stops.reverse()) await stop().catch((err) => log.warn({ err }, 'stop failed'));
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('unhandledRejection', (err) => log.error({ err }, 'unhandled rejection'));
  // Stopping the embedded PostgreSQL ends idle pooled connections with 57P01; while shutting down
  // that is expected, not a crash.
  process.on('uncaughtException', (err) => {
    if (stopping && (err as { code?: string }).code === '57P01') return;
    log.fatal({ err }, 'uncaught exception');
    process.exit(1);
  });
}

/** Fork the queue workers; one that dies is started again. */
function startWorkerProcesses(n: number, env: NodeJS.ProcessEnv, log: Logger) {
  const file = fileURLToPath(new URL(`./worker-main${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url));
  const children = new Set<ChildProcess>();
  let stopping = false;
  const spawn = () => {
    const child = fork(file, [], { env, stdio: 'inherit' });
    children.add(child);
    child.on('exit', (code, signal) => {
      children.delete(child);
      if (stopping) return;
      log.error({ code, signal }, 'worker process exited; starting another');
      setTimeout(spawn, 1000).unref();
    });
  };
  for (let i = 0; i < n; i++) spawn();
  return {
    async stop() {
      stopping = true;
      await Promise.all(
        [...children].map(
          (c) =>
            new Promise<void>((resolve) => {
              c.once('exit', () => resolve());
              c.kill('SIGTERM');
            }),
        ),
      );
    },
  };
}

void main();
