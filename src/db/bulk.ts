// Set-based writes for imports: one UPDATE ... FROM unnest(...) per chunk instead of one statement per row.
import type { Prisma } from '../generated/prisma/client.js';

export type Tx = Prisma.TransactionClient;

/** int, text, bool, timestamp (a Prisma DateTime: timestamp(3) holding UTC), or a PostgreSQL enum type name. */
export type BulkType = 'int' | 'text' | 'bool' | 'timestamp' | { enum: string };

export interface BulkColumn {
  name: string;
  type: BulkType;
}

const CHUNK = 5000;

function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function arrayType(t: BulkType): string {
  if (typeof t === 'object') return 'text[]';
  return t === 'int' ? 'int[]' : t === 'bool' ? 'bool[]' : 'text[]';
}

function castFrom(col: BulkColumn): string {
  const v = `v.${ident(col.name)}`;
  if (typeof col.type === 'object') return `${v}::${ident(col.type.enum)}`;
  // Dates travel as ISO strings: independent of the session time zone and of how the driver prints a Date.
  if (col.type === 'timestamp') return `(${v}::timestamptz AT TIME ZONE 'UTC')`;
  return v;
}

function param(value: unknown, t: BulkType): unknown {
  if (value === null || value === undefined) return null;
  if (t === 'timestamp') return (value as Date).toISOString();
  return value;
}

/**
 * UPDATE table SET col = v.col ... for many rows at once. `rows` are [id, ...values] in the order of `columns`
 * (the id column is implied: it is the first element of each row and matched against "id").
 */
export async function bulkUpdate(tx: Tx, table: string, columns: readonly BulkColumn[], rows: readonly unknown[][]): Promise<number> {
  if (rows.length === 0) return 0;
  const all: BulkColumn[] = [{ name: 'id', type: 'int' }, ...columns];
  const sets = columns.map((c) => `${ident(c.name)} = ${castFrom(c)}`).join(', ');
  const arrays = all.map((c, i) => `$${i + 1}::${arrayType(c.type)}`).join(', ');
  const names = all.map((c) => ident(c.name)).join(', ');
  const sql = `UPDATE ${ident(table)} AS t SET ${sets} FROM unnest(${arrays}) AS v(${names}) WHERE t."id" = v."id"`;
  let n = 0;
  for (let i = 0; i < rows.length; i += CHUNK) {
    const chunk = rows.slice(i, i + CHUNK);
    const params = all.map((c, ci) => chunk.map((r) => param(r[ci], c.type)));
    n += await tx.$executeRawUnsafe(sql, ...params);
  }
  return n;
}

/**
 * INSERT INTO table (columns) SELECT FROM unnest(...) for many rows at once, returning the "id" and `key` column
 * of each inserted row. `rows` hold values in the order of `columns`; other columns take their defaults.
 */
export async function bulkInsert(
  tx: Tx,
  table: string,
  columns: readonly BulkColumn[],
  rows: readonly unknown[][],
  key: string,
): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (rows.length === 0) return out;
  const names = columns.map((c) => ident(c.name)).join(', ');
  const arrays = columns.map((c, i) => `$${i + 1}::${arrayType(c.type)}`).join(', ');
  const values = columns.map((c) => castFrom(c)).join(', ');
  const sql =
    `INSERT INTO ${ident(table)} (${names}) SELECT ${values} FROM unnest(${arrays}) AS v(${names}) ` +
    `RETURNING "id", ${ident(key)}::text AS "key"`;
  for (let i = 0; i < rows.length; i += CHUNK) {
    const chunk = rows.slice(i, i + CHUNK);
    const params = columns.map((c, ci) => chunk.map((r) => param(r[ci], c.type)));
    const made = await tx.$queryRawUnsafe<{ id: number; key: string }[]>(sql, ...params);
    for (const m of made) out.set(m.key, m.id);
  }
  return out;
}

/** UPDATE table SET <assignments> WHERE id = ANY(ids), in chunks. `assignments` is trusted SQL with $2.. params. */
export async function updateByIds(tx: Tx, table: string, ids: readonly number[], assignments: string, ...params: unknown[]): Promise<number> {
  let n = 0;
  for (let i = 0; i < ids.length; i += CHUNK) {
    const chunk = ids.slice(i, i + CHUNK);
    n += await tx.$executeRawUnsafe(`UPDATE ${ident(table)} SET ${assignments} WHERE "id" = ANY($1::int[])`, chunk, ...params);
  }
  return n;
}

/** A Date as a parameter for a timestamp(3) column holding UTC: use `($n::timestamptz AT TIME ZONE 'UTC')`. */
export function tsParam(d: Date): string {
  return d.toISOString();
}

export const TS = (n: number) => `($${n}::timestamptz AT TIME ZONE 'UTC')`;

/** Run fn over chunks of items, sequentially. */
export async function inChunks<T>(items: readonly T[], size: number, fn: (chunk: T[]) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await fn(items.slice(i, i + size));
}

/**
 * INSERT ... SELECT FROM unnest(...) ON CONFLICT DO NOTHING for many rows at once: the unique keys
 * decide what is new. Returns how many rows were inserted.
 */
export async function bulkInsertIgnore(tx: Tx, table: string, columns: readonly BulkColumn[], rows: readonly unknown[][]): Promise<number> {
  if (rows.length === 0) return 0;
  const names = columns.map((c) => ident(c.name)).join(', ');
  const arrays = columns.map((c, i) => `$${i + 1}::${arrayType(c.type)}`).join(', ');
  const values = columns.map((c) => castFrom(c)).join(', ');
  const sql = `INSERT INTO ${ident(table)} (${names}) SELECT ${values} FROM unnest(${arrays}) AS v(${names}) ON CONFLICT DO NOTHING`;
  let n = 0;
  for (let i = 0; i < rows.length; i += CHUNK) {
    const chunk = rows.slice(i, i + CHUNK);
    n += await tx.$executeRawUnsafe(sql, ...columns.map((c, ci) => chunk.map((r) => param(r[ci], c.type))));
  }
  return n;
}
