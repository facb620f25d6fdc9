import type { Db } from '../db/client.js';

export type AuditResult = 'allow' | 'deny' | 'ok' | 'error';

/**
 * The append-only audit log: who did what, when, with what result. Every command and every
 * refusal is written here. Detail holds ids and outcomes, never message bodies or phone numbers.
 */
export async function audit(db: Db, e: { actorId: string; action: string; result: AuditResult; detail?: Record<string, unknown> }): Promise<void> {
  await db.auditLog.create({ data: { actorId: e.actorId, action: e.action, result: e.result, detail: (e.detail ?? {}) as object } });
}
