import { closeSync, createReadStream, createWriteStream, openSync, readSync, renameSync, rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { createGunzip, createGzip } from 'node:zlib';
import pg from 'pg';
import { AppError } from '../errors.js';

/**
 * Backup and restore of the bot's data through SQL, so that they work the same on the embedded
 * PostgreSQL (whose npm package ships the server, initdb and pg_ctl, but no pg_dump or pg_restore)
 * and on an external one. The file is gzip'd JSON lines: a header (format, version, the migrations the
 * data was written under), then per table a line naming it and one `row_to_json` line per row, then a
 * trailer with the row counts (a file cut short is refused). The rows are read in one REPEATABLE READ
 * transaction: one consistent snapshot while the bot runs. Queue state is not in it: PostgreSQL is
 * the source of truth and the queue is rebuilt from it (recover-inbound, the reminder tick).
 *
 * Restore goes into an empty database with the current migrations applied (`openRuntime` does that),
 * as one transaction, with foreign-key triggers off while loading (needs a superuser, which the
 * embedded database's user is), then sets every id sequence past the largest id.
 */

export const BACKUP_FORMAT = 'dangjian-backup';
const VERSION = 1;
const BATCH = 2000;

interface Header {
  format: string;
  version: number;
  createdAt: string;
  migrations: string[];
  tables: string[];
}

export async function backupDatabase(databaseUrl: string, file: string): Promise<{ tables: number; rows: number; counts: Record<string, number> }> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const tmp = `${file}.partial`;
  const counts: Record<string, number> = {};
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const tables = (await client.query<{ t: string }>(`SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' AND tablename <> '_prisma_migrations' ORDER BY tablename`)).rows.map((r) => r.t);
    const migrations = (
      await client.query<{ m: string }>(`SELECT migration_name AS m FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY migration_name`)
    ).rows.map((r) => r.m);
    async function* lines(): AsyncGenerator<string> {
      const header: Header = { format: BACKUP_FORMAT, version: VERSION, createdAt: new Date().toISOString(), migrations, tables };
      yield `${JSON.stringify(header)}\n`;
      for (const table of tables) {
        yield `${JSON.stringify({ table })}\n`;
        await client.query(`DECLARE dump NO SCROLL CURSOR FOR SELECT row_to_json(t)::text AS j FROM ${ident(table)} t`);
        let n = 0;
        for (;;) {
          const { rows } = await client.query<{ j: string }>(`FETCH ${BATCH} FROM dump`);
          if (!rows.length) break;
          n += rows.length;
          yield rows.map((r) => r.j).join('\n') + '\n';
        }
        await client.query('CLOSE dump');
        counts[table] = n;
      }
      yield `${JSON.stringify({ end: true, counts })}\n`;
    }
    await pipeline(Readable.from(lines()), createGzip(), createWriteStream(tmp));
    await client.query('COMMIT');
    renameSync(tmp, file); // a backup that did not finish never has the final name
    return { tables: Object.keys(counts).length, rows: Object.values(counts).reduce((a, b) => a + b, 0), counts };
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  } finally {
    await client.end();
  }
}

export async function restoreDatabase(databaseUrl: string, file: string): Promise<{ tables: number; rows: number }> {
  const magic = Buffer.alloc(2);
  const fd = openSync(file, 'r');
  readSync(fd, magic, 0, 2, 0);
  closeSync(fd);
  if (magic[0] !== 0x1f || magic[1] !== 0x8b) throw new AppError('bad_input', `${file} 不是本系统的备份文件 — not a ${BACKUP_FORMAT} file`);
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const input = createReadStream(file).pipe(createGunzip());
  const reader = createInterface({ input, crlfDelay: Infinity })[Symbol.asyncIterator]();
  const next = async () => {
    const r = await reader.next();
    return r.done ? undefined : (r.value as string);
  };
  try {
    const first = await next().catch(() => undefined);
    const header = parseLine(first) as Partial<Header> | undefined;
    if (header?.format !== BACKUP_FORMAT || header.version !== VERSION) {
      throw new AppError('bad_input', `${file} 不是本系统的备份文件 — not a ${BACKUP_FORMAT} v${VERSION} file`);
    }
    const applied = new Set(
      (await client.query<{ m: string }>(`SELECT migration_name AS m FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`)).rows.map((r) => r.m),
    );
    const newer = (header.migrations ?? []).filter((m) => !applied.has(m));
    if (newer.length) throw new AppError('bad_input', `备份来自更新的版本（迁移 ${newer.join(', ')}），请先升级 — the backup was made by a newer version; upgrade first`);
    for (const table of header.tables ?? []) {
      const { rows } = await client.query(`SELECT EXISTS (SELECT 1 FROM ${ident(table)}) AS has`);
      if (rows[0].has) {
        throw new AppError('conflict', `目标数据库不是空的（${table} 已有数据）：请恢复到新的数据库（新的 DATA_DIR 或 DATABASE_URL） — restore into an empty database`);
      }
    }

    await client.query('BEGIN');
    try {
      await client.query('SET LOCAL session_replication_role = replica').catch(() => {
        throw new AppError('forbidden', '恢复需要数据库超级用户；外部数据库请用 pg_dump/pg_restore（见 docs/operations.md） — restore needs a superuser');
      });
      const counts: Record<string, number> = {};
      let table: string | undefined;
      let batch: string[] = [];
      const flush = async () => {
        if (!table || !batch.length) return;
        await client.query(`INSERT INTO ${ident(table)} SELECT * FROM json_populate_recordset(NULL::${ident(table)}, $1::json)`, [`[${batch.join(',')}]`]);
        counts[table] = (counts[table] ?? 0) + batch.length;
        batch = [];
      };
      let trailer: { end?: boolean; counts?: Record<string, number> } | undefined;
      for (let line = await next(); line !== undefined; line = await next()) {
        if (!line) continue;
        if (line.startsWith('{"table":')) {
          await flush();
          table = (JSON.parse(line) as { table: string }).table;
          counts[table] = 0;
        } else if (line.startsWith('{"end":true')) {
          await flush();
          trailer = JSON.parse(line) as typeof trailer;
        } else {
          batch.push(line);
          if (batch.length >= BATCH) await flush();
        }
      }
      if (!trailer?.end) throw new AppError('bad_input', `${file} 不完整（缺少结尾） — the backup file is cut short`);
      for (const [t, n] of Object.entries(trailer.counts ?? {})) {
        if ((counts[t] ?? 0) !== n) throw new AppError('bad_input', `${file} 中 ${t} 的行数不符（${counts[t] ?? 0} ≠ ${n}） — row count mismatch`);
      }
      // Every serial id continues after the largest restored one.
      const serials = await client.query<{ t: string; c: string }>(
        `SELECT table_name AS t, column_name AS c FROM information_schema.columns WHERE table_schema = 'public' AND column_default LIKE 'nextval(%'`,
      );
      for (const { t, c } of serials.rows) {
        await client.query(`SELECT setval(pg_get_serial_sequence($1, $2), COALESCE(max(${ident(c)}), 1), max(${ident(c)}) IS NOT NULL) FROM ${ident(t)}`, [ident(t), c]);
      }
      await client.query('COMMIT');
      return { tables: Object.keys(counts).length, rows: Object.values(counts).reduce((a, b) => a + b, 0) };
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    }
  } finally {
    input.destroy();
    await client.end();
  }
}

function parseLine(line: string | undefined): unknown {
  if (!line) return undefined;
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
