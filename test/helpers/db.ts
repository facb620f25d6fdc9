// A database of its own for one integration test file: created on the server named by
// DATABASE_URL, migrated with the project's runner, dropped afterwards.

import { randomBytes } from 'node:crypto';
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
