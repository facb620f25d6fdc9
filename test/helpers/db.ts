// A database of its own for one integration test file: created on the server named by
// DATABASE_URL, migrated with the project's runner, dropped afterwards.

import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { fileURLToPath } from 'node:url';
import { createPrisma, type PrismaClient } from '../../src/db/client.js';
import { applyMigrations, dropDatabase, ensureDatabase } from '../../src/db/migrate.js';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../prisma/migrations', import.meta.url));

export function serverUrl(): string {
  return process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
}

/** A URL for a new, uniquely named database on the test server (not created yet). */
export function uniqueDatabaseUrl(prefix = 'test'): string {
  const url = new URL(serverUrl());
  const safePrefix = prefix.toLowerCase().replace(/[^a-z0-9_]+/g, '_').slice(0, 30);
  url.pathname = `/${safePrefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  return url.toString();
}

export interface FreshDatabase {
  url: string;
  prisma: PrismaClient;
  drop(): Promise<void>;
}

export async function freshDatabase(prefix = 'test'): Promise<FreshDatabase> {
  const url = uniqueDatabaseUrl(prefix);
  await ensureDatabase(url);
  try {
    await applyMigrations(url, { migrationsDir: MIGRATIONS_DIR });
  } catch (err) {
    await dropDatabase(url);
    throw err;
  }
  const prisma = createPrisma(url, { max: 5 });
  return {
    url,
    prisma,
    async drop() {
      await prisma.$disconnect();
      await dropDatabase(url);
    },
  };
}

/**
 * Per table of the app (every table in `public` but the migration log): its row count and an md5 of
 * its rows, each as PostgreSQL's text form of the row — values in column order, names left out, so a
 * renamed column with the same values gives the same checksum, and any changed, lost or added value or
 * row gives another. What a migration or a restore must keep (reliability §7.25).
 */
export async function tableChecksums(url: string): Promise<Record<string, { rows: number; md5: string }>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const tables = await client.query<{ name: string }>(
      `SELECT table_name AS name FROM information_schema.tables
        WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> '_prisma_migrations' ORDER BY table_name`,
    );
    const out: Record<string, { rows: number; md5: string }> = {};
    for (const { name } of tables.rows) {
      const ident = `"${name.replaceAll('"', '""')}"`;
      const r = await client.query<{ rows: string; md5: string | null }>(
        `SELECT count(*) AS rows, md5(string_agg(t::text, E'\\n' ORDER BY t::text)) AS md5 FROM ${ident} t`,
      );
      out[name] = { rows: Number(r.rows[0]!.rows), md5: r.rows[0]!.md5 ?? '' };
    }
    return out;
  } finally {
    await client.end();
  }
}
