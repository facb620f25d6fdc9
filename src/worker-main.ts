import 'dotenv/config';
import os from 'node:os';
import { startApp, type App } from './app.js';
import { loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { answerSnapshotRequests } from './metrics.js';

/**
 * A queue worker in its own process, forked by main.ts (WORKER_PROCESSES). It gets the same
 * environment plus the resolved DATABASE_URL, and runs jobs only: no intake, no HTTP, no schedulers.
 */
async function main(): Promise<void> {
  // Jobs are throughput work; event intake in the main process must answer Lark at once. A lower
  // CPU priority lets the OS run intake first when the machine is busy.
  os.setPriority(process.pid, 10);
  const config = loadConfig(process.env);
  const log = createLogger({ level: config.logLevel }).child({ role: 'worker', pid: process.pid });
  // Signals are handled from the start: one that comes while the worker is still starting must stop
  // the bot too, not kill this process (which the main process would replace).
  let app: App | undefined;
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await app?.close(config.shutdownGraceMs);
    process.exit(0);
  };
  // A signal to this process stops the whole bot: tell the main process (which then stops us too).
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
    process.on(signal, () => {
      if (process.connected && !stopping) process.send?.({ stop: signal });
      void stop();
    });
  }
  process.on('disconnect', () => void stop()); // the main process is gone
  app = await startApp({ config, databaseUrl: config.databaseUrl!, log, intake: false, http: false, schedulers: false });
  if (stopping) return void (await app.close(config.shutdownGraceMs), process.exit(0));
  answerSnapshotRequests(); // the main process serves /metrics for us too
  process.send?.({ ready: true });
}

void main().catch((err) => {
  console.error(err);
  process.exit(1);
});
