// Applies prisma/migrations/<name>/migration.sql in name order, keeping the `_prisma_migrations`
// bookkeeping exactly as Prisma's own schema engine does, so that `npx prisma migrate deploy`
// (where the native engine can be downloaded) accepts the same database and folder.
//
// Differences from `prisma migrate deploy`, all on the safe side:
// - each migration runs in one transaction together with its `_prisma_migrations` row, so a
//   failing migration leaves neither half-applied tables nor a failed row behind;
// - an applied migration whose file changed is refused instead of silently ignored.

import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';

export const DEFAULT_MIGRATIONS_DIR = 'prisma/migrations';

/** The key Prisma's schema engine itself locks on, so we also serialise against `prisma migrate`. */
const PRISMA_ADVISORY_LOCK_KEY = 72707369;

/** Verbatim from Prisma's PostgreSQL connector. */
const CREATE_MIGRATIONS_TABLE = `
CREATE TABLE IF NOT EXISTS _prisma_migrations (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             TIMESTAMPTZ,
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          TIMESTAMPTZ,
    started_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    applied_steps_count     INTEGER NOT NULL DEFAULT 0
)`;

export interface MigrationFile {
  name: string;
  sql: string;
  checksum: string;
}

export interface ApplyOptions {
  migrationsDir?: string;
  log?: (message: string) => void;
}

/** sha256 hex of the script, as Prisma stores it in `_prisma_migrations.checksum`. */
export function checksum(sql: string): string {
  return createHash('sha256').update(sql, 'utf8').digest('hex');
}

/** Prisma also accepts a checksum taken with the other line endings (git autocrlf). */
function matchesChecksum(sql: string, stored: string): boolean {
  const lf = sql.replace(/\r\n/g, '\n');
  return [sql, lf, lf.replace(/\n/g, '\r\n')].some((variant) => checksum(variant) === stored);
}

/** The migration folders, in the order they are applied. */
export function listMigrations(migrationsDir: string): MigrationFile[] {
  if (!existsSync(migrationsDir)) return [];
  return readdirSync(migrationsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const file = path.join(migrationsDir, name, 'migration.sql');
      if (!existsSync(file)) throw new Error(`Migration ${name} has no migration.sql (${file})`);
      const sql = readFileSync(file, 'utf8');
      return { name, sql, checksum: checksum(sql) };
    });
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** The URL of the same server's `postgres` maintenance database. */
export function maintenanceUrl(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  url.pathname = '/postgres';
  return url.toString();
}

export function databaseName(databaseUrl: string): string {
  const name = decodeURIComponent(new URL(databaseUrl).pathname.replace(/^\//, ''));
  if (!name) throw new Error(`No database name in ${databaseUrl}`);
  return name;
}

/**
 * A connected client. A lost connection also rejects the pending query, which is where we report
 * it; without this listener pg would additionally raise it as an uncaught 'error' event.
 */
async function connect(connectionString: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString });
  client.on('error', () => {});
  await client.connect();
  return client;
}

/** Runs `fn` with a client connected to the server's `postgres` database. */
export async function withMaintenanceClient<T>(databaseUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = await connect(maintenanceUrl(databaseUrl));
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Creates the database named in the URL unless it exists. Returns whether it created it. */
export async function ensureDatabase(databaseUrl: string): Promise<boolean> {
  const name = databaseName(databaseUrl);
  return withMaintenanceClient(databaseUrl, async (client) => {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount) return false;
    try {
      await client.query(`CREATE DATABASE ${quoteIdent(name)}`);
      return true;
    } catch (err) {
      // Another process created it between our check and our CREATE.
      const code = (err as { code?: string }).code;
      if (code === '42P04' || code === '23505') return false;
      throw err;
    }
  });
}

/** Drops the database named in the URL, disconnecting anyone still on it. */
export async function dropDatabase(databaseUrl: string): Promise<void> {
  const name = databaseName(databaseUrl);
  await withMaintenanceClient(databaseUrl, (client) =>
    client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`),
  );
}

interface MigrationRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

/**
 * Applies the migrations not yet recorded in `_prisma_migrations`. Concurrent callers wait on
 * Prisma's advisory lock; whoever comes second finds nothing left to do.
 */
export async function applyMigrations(databaseUrl: string, opts: ApplyOptions = {}): Promise<{ applied: string[] }> {
  const migrationsDir = path.resolve(opts.migrationsDir ?? DEFAULT_MIGRATIONS_DIR);
  const log = opts.log ?? (() => {});
  const migrations = listMigrations(migrationsDir);

  const client = await connect(databaseUrl);
  try {
    await client.query('SELECT pg_advisory_lock($1)', [PRISMA_ADVISORY_LOCK_KEY]);
    await client.query(CREATE_MIGRATIONS_TABLE);
    const { rows } = await client.query<MigrationRow>(
      'SELECT migration_name, checksum, finished_at, rolled_back_at FROM _prisma_migrations ORDER BY started_at ASC',
    );
    // Rows marked rolled back are history only, as in Prisma.
    const live = rows.filter((row) => row.rolled_back_at === null);

    const failed = live.filter((row) => row.finished_at === null);
    if (failed.length > 0) {
      const names = failed.map((row) => row.migration_name).join(', ');
      throw new Error(
        `Failed migrations are recorded in _prisma_migrations: ${names}. Repair the database, then mark them ` +
          `with \`npx prisma migrate resolve --rolled-back <name>\` (or set rolled_back_at) before migrating again.`,
      );
    }

    const appliedChecksums = new Map(live.map((row) => [row.migration_name, row.checksum]));
    for (const migration of migrations) {
      const stored = appliedChecksums.get(migration.name);
      if (stored !== undefined && !matchesChecksum(migration.sql, stored)) {
        throw new Error(
          `Migration ${migration.name} was modified after it was applied (checksum ${stored} in the database, ` +
            `${migration.checksum} on disk). Restore the file and put the change in a new migration.`,
        );
      }
    }
    const onDisk = new Set(migrations.map((m) => m.name));
    for (const name of appliedChecksums.keys()) {
      if (!onDisk.has(name)) log(`warning: migration ${name} is applied but missing from ${migrationsDir}`);
    }

    const applied: string[] = [];
    for (const migration of migrations.filter((m) => !appliedChecksums.has(m.name))) {
      log(`applying ${migration.name}`);
      await applyOne(client, migration);
      applied.push(migration.name);
    }
    log(applied.length ? `applied ${applied.length} migration(s)` : 'database is up to date');
    return { applied };
  } finally {
    // Ending the session also releases the advisory lock.
    await client.end();
  }
}

async function applyOne(client: pg.Client, migration: MigrationFile): Promise<void> {
  // Note: a script with its own BEGIN/COMMIT (Prisma writes those for some enum changes) commits
  // our transaction early; it still applies, but is then not atomic.
  await client.query('BEGIN');
  try {
    // Simple query protocol: the whole file in one round trip, statements in order.
    await client.query(migration.sql);
    await client.query(
      `INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
       VALUES ($1, $2, $3, now(), clock_timestamp(), 1)`,
      [randomUUID(), migration.checksum, migration.name],
    );
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    const message = err instanceof Error ? err.message : String(err);
    throw new Error(`Migration ${migration.name} failed and was rolled back: ${message}`, { cause: err });
  }
}
