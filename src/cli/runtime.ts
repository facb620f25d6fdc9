import net from 'node:net';
import { loadConfig, type Config } from '../config.js';
import { createPrisma, type Db } from '../db/client.js';
import { EMBEDDED_DATABASE, startEmbeddedPostgres } from '../db/embedded.js';
import { applyMigrations, ensureDatabase } from '../db/migrate.js';
import { createLarkClient, type LarkClient } from '../lark/client.js';
import { createLogger, type Logger } from '../logger.js';

/** What a CLI command gets: config, a migrated database, a logger, and Lark when reachable. */
export interface CliRuntime {
  config: Config;
  db: Db;
  databaseUrl: string;
  log: Logger;
  /** The configured Lark (or the sandbox of a running `npm start`), if it answers. */
  lark(): Promise<LarkClient | undefined>;
  close(): Promise<void>;
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

/**
 * Same defaults as `npm start`: DATABASE_URL, or the embedded PostgreSQL (the running bot's, if it
 * is up; otherwise started for this command and stopped after).
 */
export async function openRuntime(env = process.env): Promise<CliRuntime> {
  const config = loadConfig(env);
  // Its stdout is the command's Chinese lines: log records go to stderr, warnings and worse only.
  const log = createLogger({ level: env.LOG_LEVEL ?? 'warn', dest: 2, sync: true });
  let stop: (() => Promise<void>) | undefined;
  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    if (await portOpen(config.embeddedPgPort)) databaseUrl = `postgresql://postgres:postgres@127.0.0.1:${config.embeddedPgPort}/${EMBEDDED_DATABASE}`;
    else {
      const pg = await startEmbeddedPostgres(config.dataDir, log, config.embeddedPgPort);
      databaseUrl = pg.url;
      stop = pg.stop;
    }
  }
  await ensureDatabase(databaseUrl);
  await applyMigrations(databaseUrl);
  const db = createPrisma(databaseUrl);
  return {
    config,
    db,
    databaseUrl,
    log,
    async lark() {
      if (config.sandbox && !(await portOpen(config.sandbox.port))) return undefined;
      return createLarkClient(config.lark, log);
    },
    async close() {
      await db.$disconnect();
      await stop?.();
    },
  };
}

/** A progress line on stderr that rewrites itself. */
export function progress(label: string): (done: number, total: number) => void {
  let last = 0;
  return (done, total) => {
    const now = Date.now();
    if (done < total && now - last < 200) return;
    last = now;
    process.stderr.write(`\r${label} ${done}/${total}${done >= total ? '\n' : ''}`);
  };
}
