// Changes OD staff make from chat (a file they send, a form they fill): validated and previewed
// first, stored as a PendingChange, and applied once when 确认 is clicked. The buttons carry the
// change's id and the hash of exactly what was previewed; a click is honoured only for that content,
// by OD staff, while the change is still pending (the status flip in the applying transaction is the
// once-only guard, however often the click is delivered).
import { createHash } from 'node:crypto';
import { audit } from '../access/audit.js';
import { can, refusal } from '../access/policy.js';
import type { Db } from '../db/client.js';
import type { Deps } from '../deps.js';
import { AppError, isAppError } from '../errors.js';
import type { Prisma } from '../generated/prisma/client.js';
import { requirePerson } from '../people/lookup.js';

export type ChangeKind = 'calendar' | 'roster' | 'list' | 'projects' | 'catalog';
export type Tx = Prisma.TransactionClient;

export function contentHash(content: string | Uint8Array): string {
  return createHash('sha256').update(content).digest('hex');
}

/**
 * The active OD staff member behind `openId`; anyone else is refused, and the refusal audited under
 * `action` (commands leave it out: the message handler audits them).
 */
export async function requireOdStaff(deps: Deps, openId: string, action?: string, detail: Record<string, unknown> = {}) {
  try {
    const person = await requirePerson(deps, openId);
    if (!can(person.role, 'od.data')) throw new AppError('forbidden', refusal('od.data'));
    return person;
  } catch (err) {
    if (isAppError(err) && action) await audit(deps.db, { actorId: openId, action, result: 'deny', detail: { code: err.code, ...detail } });
    throw err;
  }
}

export async function createPendingChange(
  db: Db,
  c: { kind: ChangeKind; hash: string; payload: unknown; createdBy: string; file?: Uint8Array; fileName?: string },
): Promise<{ id: number; hash: string }> {
  const row = await db.pendingChange.create({
    data: {
      kind: c.kind,
      contentHash: c.hash,
      payload: c.payload as Prisma.InputJsonValue,
      createdBy: c.createdBy,
      ...(c.file ? { file: Buffer.from(c.file), fileName: c.fileName ?? null } : {}),
    },
    select: { id: true, contentHash: true },
  });
  return { id: row.id, hash: row.contentHash };
}

export type Claim<T> = { outcome: 'applied'; result: T } | { outcome: 'already'; status: string; result: unknown } | { outcome: 'mismatch' };

/**
 * Runs `apply` in one transaction with the flip PENDING → APPLIED of change `id` whose content hash
 * is `hash`: exactly one of any number of concurrent or repeated confirmations applies it.
 */
export async function applyOnce<T>(
  db: Db,
  ref: { id: number; hash: string; kind: ChangeKind; actor: string; at: Date },
  apply: (tx: Tx, change: { payload: unknown; file: Uint8Array | null; fileName: string | null }) => Promise<T>,
  options: { timeout?: number } = {},
): Promise<Claim<T>> {
  return db.$transaction(
    async (tx) => {
      const flipped = await tx.pendingChange.updateMany({
        where: { id: ref.id, kind: ref.kind, contentHash: ref.hash, status: 'PENDING' },
        data: { status: 'APPLIED', decidedBy: ref.actor, decidedAt: ref.at },
      });
      if (flipped.count === 0) {
        const row = await tx.pendingChange.findUnique({ where: { id: ref.id }, select: { status: true, kind: true, contentHash: true, result: true } });
        if (!row || row.kind !== ref.kind || row.contentHash !== ref.hash) return { outcome: 'mismatch' as const };
        return { outcome: 'already' as const, status: row.status, result: row.result };
      }
      const change = await tx.pendingChange.findUniqueOrThrow({ where: { id: ref.id }, select: { payload: true, file: true, fileName: true } });
      const result = await apply(tx, change);
      await tx.pendingChange.update({ where: { id: ref.id }, data: { result: (result ?? null) as Prisma.InputJsonValue } });
      return { outcome: 'applied' as const, result };
    },
    { timeout: options.timeout ?? 10 * 60_000, maxWait: 60_000 },
  );
}

/** 取消: PENDING → CANCELLED; false when it was already decided. */
export async function cancelChange(db: Db, ref: { id: number; hash: string; actor: string; at: Date }): Promise<boolean> {
  const r = await db.pendingChange.updateMany({
    where: { id: ref.id, contentHash: ref.hash, status: 'PENDING' },
    data: { status: 'CANCELLED', decidedBy: ref.actor, decidedAt: ref.at },
  });
  return r.count === 1;
}

/**
 * For changes applied by code that runs its own transaction (the imports): flips PENDING → APPLIED
 * first, so one confirmation of many goes ahead; `reopen` hands it back when applying failed.
 */
export async function claimChange(db: Db, ref: { id: number; hash: string; kind: ChangeKind; actor: string; at: Date }) {
  const flipped = await db.pendingChange.updateMany({
    where: { id: ref.id, kind: ref.kind, contentHash: ref.hash, status: 'PENDING' },
    data: { status: 'APPLIED', decidedBy: ref.actor, decidedAt: ref.at },
  });
  const row = await db.pendingChange.findUnique({ where: { id: ref.id } });
  if (!row || row.kind !== ref.kind || row.contentHash !== ref.hash) return { outcome: 'mismatch' as const };
  if (flipped.count === 0) return { outcome: 'already' as const, status: row.status, result: row.result };
  return {
    outcome: 'claimed' as const,
    change: row,
    finish: (result: object) => db.pendingChange.update({ where: { id: ref.id }, data: { result: result as Prisma.InputJsonValue } }),
    reopen: (status: 'PENDING' | 'CANCELLED', result?: object) =>
      db.pendingChange.update({ where: { id: ref.id }, data: { status, ...(result ? { result: result as Prisma.InputJsonValue } : {}) } }),
  };
}
