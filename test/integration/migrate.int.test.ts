// The migration runner against the real PostgreSQL in DATABASE_URL; each test makes its own
// databases and temporary migration folders.

import { createHash } from 'node:crypto';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { applyMigrations, dropDatabase, ensureDatabase, listMigrations } from '../../src/db/migrate.js';
import { migrationList, newMigration, withSchemaEngine } from '../../src/db/new-migration.js';
import { freshDatabase, MIGRATIONS_DIR, tableChecksums, uniqueDatabaseUrl } from '../helpers/db.js';
import { seedDistrict } from '../helpers/district.js';

const SCHEMA_PATH = path.join(MIGRATIONS_DIR, '..', 'schema.prisma');
const NO_FILTERS = { externalTables: [], externalEnums: [] };

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function emptyDatabase(prefix: string): Promise<string> {
  const url = uniqueDatabaseUrl(prefix);
  await ensureDatabase(url);
  cleanups.push(() => dropDatabase(url));
  return url;
}

/** A copy of the project's migrations, plus extra ones: { name: sql }. */
function migrationsCopy(extra: Record<string, string> = {}): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'migrations-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(MIGRATIONS_DIR, dir, { recursive: true });
  for (const [name, sql] of Object.entries(extra)) {
    mkdirSync(path.join(dir, name));
    writeFileSync(path.join(dir, name, 'migration.sql'), sql);
  }
  return dir;
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

interface Row {
  id: string;
  checksum: string;
  finished_at: Date | null;
  migration_name: string;
  logs: string | null;
  rolled_back_at: Date | null;
  started_at: Date;
  applied_steps_count: number;
}
const migrationRows = (url: string) =>
  query<Row>(url, 'SELECT * FROM _prisma_migrations ORDER BY started_at, migration_name');

const projectMigrations = listMigrations(MIGRATIONS_DIR).map((m) => m.name);

describe('applyMigrations', () => {
  it('applies every migration to a fresh database and records it as Prisma does', async () => {
    const db = await freshDatabase('migrate_fresh');
    cleanups.push(() => db.drop());
    expect(projectMigrations.length).toBeGreaterThan(0);

    const rows = await migrationRows(db.url);
    expect(rows.map((r) => r.migration_name)).toEqual(projectMigrations);
    for (const row of rows) {
      const file = readFileSync(path.join(MIGRATIONS_DIR, row.migration_name, 'migration.sql'));
      expect(row.checksum).toBe(createHash('sha256').update(file).digest('hex'));
      expect(row.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.finished_at!.getTime()).toBeGreaterThanOrEqual(row.started_at.getTime());
      expect(row.logs).toBeNull();
      expect(row.rolled_back_at).toBeNull();
      expect(row.applied_steps_count).toBe(1);
    }

    const columns = await query(
      db.url,
      `SELECT column_name, data_type, character_maximum_length AS len, is_nullable, column_default
         FROM information_schema.columns WHERE table_name = '_prisma_migrations' ORDER BY ordinal_position`,
    );
    expect(columns).toEqual([
      { column_name: 'id', data_type: 'character varying', len: 36, is_nullable: 'NO', column_default: null },
      { column_name: 'checksum', data_type: 'character varying', len: 64, is_nullable: 'NO', column_default: null },
      { column_name: 'finished_at', data_type: 'timestamp with time zone', len: null, is_nullable: 'YES', column_default: null },
      { column_name: 'migration_name', data_type: 'character varying', len: 255, is_nullable: 'NO', column_default: null },
      { column_name: 'logs', data_type: 'text', len: null, is_nullable: 'YES', column_default: null },
      { column_name: 'rolled_back_at', data_type: 'timestamp with time zone', len: null, is_nullable: 'YES', column_default: null },
      { column_name: 'started_at', data_type: 'timestamp with time zone', len: null, is_nullable: 'NO', column_default: 'now()' },
      { column_name: 'applied_steps_count', data_type: 'integer', len: null, is_nullable: 'NO', column_default: '0' },
    ]);

    // The generated client works on the migrated schema.
    const unit = await db.prisma.unit.create({ data: { code: 'U1', name: '测试镇', kind: 'TOWN' } });
    await db.prisma.person.create({ data: { code: 'P1', name: '张三', unitId: unit.id, role: 'SECRETARY' } });
    expect(await db.prisma.person.count({ where: { unitId: unit.id } })).toBe(1);

    // Running again applies nothing and changes nothing.
    expect(await applyMigrations(db.url, { migrationsDir: MIGRATIONS_DIR })).toEqual({ applied: [] });
    expect(await migrationRows(db.url)).toEqual(rows);
  });

  it('applies each migration once when several processes start at the same time', async () => {
    const dir = migrationsCopy({
      '29990101000000_slow': 'SELECT pg_sleep(0.5);\nCREATE TABLE "Slow" ("id" INTEGER NOT NULL);\n',
    });
    const url = await emptyDatabase('migrate_concurrent');

    const results = await Promise.all([1, 2, 3].map(() => applyMigrations(url, { migrationsDir: dir })));
    const applied = results.flatMap((r) => r.applied).sort();
    expect(applied).toEqual([...projectMigrations, '29990101000000_slow'].sort());

    const rows = await migrationRows(url);
    expect(rows.map((r) => r.migration_name).sort()).toEqual(applied);
  });

  it('refuses an applied migration whose file was edited, naming it', async () => {
    const dir = migrationsCopy();
    const url = await emptyDatabase('migrate_edited');
    await applyMigrations(url, { migrationsDir: dir });

    const name = projectMigrations[0]!;
    const file = path.join(dir, name, 'migration.sql');
    const original = readFileSync(file, 'utf8');

    // Only the line endings changed (git autocrlf): accepted, as Prisma does.
    writeFileSync(file, original.replace(/\n/g, '\r\n'));
    expect(await applyMigrations(url, { migrationsDir: dir })).toEqual({ applied: [] });

    appendFileSync(file, '\n-- an afterthought\n');
    await expect(applyMigrations(url, { migrationsDir: dir })).rejects.toThrow(
      new RegExp(`Migration ${name} was modified after it was applied`),
    );
  });

  it('rolls a failing migration back completely and applies it once fixed', async () => {
    const broken = '29990101000000_broken';
    const dir = migrationsCopy({
      [broken]: 'CREATE TABLE "HalfMade" ("id" INTEGER NOT NULL);\nINSERT INTO "NoSuchTable" VALUES (1);\n',
    });
    const url = await emptyDatabase('migrate_broken');

    await expect(applyMigrations(url, { migrationsDir: dir })).rejects.toThrow(
      new RegExp(`Migration ${broken} failed and was rolled back: relation "NoSuchTable" does not exist`),
    );
    const [table] = await query<{ t: string | null }>(url, `SELECT to_regclass('"HalfMade"')::text AS t`);
    expect(table!.t).toBeNull();
    const rows = await migrationRows(url);
    expect(rows.map((r) => r.migration_name)).toEqual(projectMigrations); // the good ones stay applied
    expect(rows.every((r) => r.finished_at !== null)).toBe(true);

    writeFileSync(path.join(dir, broken, 'migration.sql'), 'CREATE TABLE "HalfMade" ("id" INTEGER NOT NULL);\n');
    expect(await applyMigrations(url, { migrationsDir: dir })).toEqual({ applied: [broken] });
  });
});

describe('reliability §7.25: a renaming migration keeps every value', () => {
  it('reliability §7.25 (migration half): a migration renaming a column, applied by the runner to a prod-like database, keeps every row and value (row counts and checksums per table); a drop-and-add is caught by the same check', async () => {
    // Prod-like: the example district imported and its year planned, reminders planned, and reports.
    const db = await freshDatabase('migrate_rename');
    cleanups.push(() => db.drop());
    await seedDistrict(db.prisma, 2026, new Date('2026-01-05T09:00:00+08:00'));
    await query(
      db.url,
      `INSERT INTO "Report" ("obligationId", "personId", "sourceKey", "text", "fields", "late")
       SELECT o."id", o."personId", 'seed-' || o."id", '已完成：' || o."title" || '，参加 ' || (o."id" % 40) || ' 人', jsonb_build_object('people', o."id" % 40), o."id" % 7 = 0
         FROM "Obligation" o WHERE o."personId" IS NOT NULL`,
    );
    const before = await tableChecksums(db.url);
    expect(before.Obligation!.rows).toBeGreaterThan(100);
    expect(before.Report!.rows).toBeGreaterThan(100);
    const texts = await query<{ id: number; text: string }>(db.url, 'SELECT "id", "text" FROM "Report" ORDER BY "id"');

    // What Prisma generates for a renamed field is DROP + ADD; the migration is edited to rename
    // (prisma docs: customizing migrations), and the runner applies it like any other.
    const dir = migrationsCopy({ '29990101000000_report_text_to_content': 'ALTER TABLE "Report" RENAME COLUMN "text" TO "content";\n' });
    expect(await applyMigrations(db.url, { migrationsDir: dir })).toEqual({ applied: ['29990101000000_report_text_to_content'] });
    expect(await tableChecksums(db.url)).toEqual(before);
    const columns = (await query<{ column_name: string }>(db.url, `SELECT column_name FROM information_schema.columns WHERE table_name = 'Report'`)).map((c) => c.column_name);
    expect(columns).toContain('content');
    expect(columns).not.toContain('text');
    expect(await query(db.url, 'SELECT "id", "content" AS "text" FROM "Report" ORDER BY "id"')).toEqual(texts);

    // The check is not blind: Prisma's default for the rename (drop, then add) loses the values, and it says so.
    const dropAdd = migrationsCopy({
      '29990101000000_report_text_to_content': 'ALTER TABLE "Report" RENAME COLUMN "text" TO "content";\n',
      '29990101000001_report_content_drop_add': 'ALTER TABLE "Report" DROP COLUMN "content";\nALTER TABLE "Report" ADD COLUMN "content" TEXT NOT NULL DEFAULT \'\';\n',
    });
    await applyMigrations(db.url, { migrationsDir: dropAdd });
    const after = await tableChecksums(db.url);
    expect(after.Report!.rows).toBe(before.Report!.rows);
    expect(after.Report!.md5).not.toBe(before.Report!.md5);
    expect({ ...after, Report: before.Report }).toEqual(before); // only that table changed
  }, 120_000);
});

describe("Prisma's own engine (schema-engine-wasm) agrees with the runner", () => {
  const schema = [{ path: 'schema.prisma', content: readFileSync(SCHEMA_PATH, 'utf8') }];

  it('sees a database migrated by the runner as up to date, with nothing edited or failed', async () => {
    const url = await emptyDatabase('migrate_engine_reads');
    await applyMigrations(url, { migrationsDir: MIGRATIONS_DIR });

    await withSchemaEngine(url, schema, async (engine) => {
      const list = migrationList(MIGRATIONS_DIR);
      expect(await engine.diagnoseMigrationHistory({ migrationsList: list, optInToShadowDatabase: false, filters: NO_FILTERS }))
        .toMatchObject({ editedMigrationNames: [], failedMigrationNames: [], hasMigrationsTable: true, history: null });
      expect(await engine.applyMigrations({ migrationsList: list, filters: NO_FILTERS })).toEqual({
        appliedMigrationNames: [],
      });
    });
  });

  it('accepts a database migrated by the engine (prisma migrate deploy) as up to date', async () => {
    const url = await emptyDatabase('migrate_engine_writes');
    await withSchemaEngine(url, schema, async (engine) => {
      const result = await engine.applyMigrations({ migrationsList: migrationList(MIGRATIONS_DIR), filters: NO_FILTERS });
      expect(result.appliedMigrationNames).toEqual(projectMigrations);
    });
    expect(await applyMigrations(url, { migrationsDir: MIGRATIONS_DIR })).toEqual({ applied: [] });
  });
});

describe('newMigration', () => {
  it('finds prisma/schema.prisma in sync with the migrations (else: npm run db:new-migration -- <name>)', async () => {
    const dir = migrationsCopy();
    const result = await newMigration({ databaseUrl: uniqueDatabaseUrl(), name: 'nothing', migrationsDir: dir, schemaPath: SCHEMA_PATH });
    expect(result).toEqual({ dir: null, sql: '' });
  });

  it('writes the SQL for a schema change as a new migration that applies', async () => {
    // A hand-written migration with ';' inside a function body must replay whole in the shadow database.
    const dir = migrationsCopy({
      '29980101000000_function':
        'CREATE FUNCTION "twice"(x INTEGER) RETURNS INTEGER LANGUAGE plpgsql AS $$\nBEGIN\n  x := x * 2;\n  RETURN x;\nEND\n$$;\n',
    });
    const schemaPath = path.join(dir, 'schema.prisma');
    writeFileSync(schemaPath, `${readFileSync(SCHEMA_PATH, 'utf8')}\nmodel Scratch {\n  id Int @id\n  note String?\n}\n`);

    const now = new Date(Date.UTC(2999, 0, 2, 3, 4, 5));
    const result = await newMigration({ databaseUrl: uniqueDatabaseUrl(), name: 'Add scratch', migrationsDir: dir, schemaPath, now });
    expect(result.dir).toBe(path.join(dir, '29990102030405_add_scratch'));
    expect(readFileSync(path.join(result.dir!, 'migration.sql'), 'utf8')).toBe(result.sql);
    expect(result.sql).toContain('CREATE TABLE "Scratch"');
    expect(result.sql).not.toContain('CREATE TABLE "Unit"');
    expect(readFileSync(path.join(dir, 'migration_lock.toml'), 'utf8')).toContain('provider = "postgresql"');

    const url = await emptyDatabase('migrate_new');
    const { applied } = await applyMigrations(url, { migrationsDir: dir });
    expect(applied.slice(-2)).toEqual(['29980101000000_function', '29990102030405_add_scratch']);
    expect(await query(url, 'SELECT "twice"(21) AS v')).toEqual([{ v: 42 }]);
    const leftovers = await query(url, `SELECT datname FROM pg_database WHERE datname LIKE 'prisma_shadow_%'`);
    expect(leftovers).toEqual([]);
  });
});
