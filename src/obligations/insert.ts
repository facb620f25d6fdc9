// Writing planned obligations (from the yearly generator, weak-org records, feedback notices) through
// the obligation's unique key. A leaf: it imports nothing of the features that call it.
import { bulkInsertIgnore, type BulkColumn, type Tx } from '../db/bulk.js';
import type { PlannedObligation } from '../domain/duties/plan.js';

const CHUNK = 5000;

const OBLIGATION_COLUMNS: readonly BulkColumn[] = [
  { name: 'ruleCode', type: 'text' },
  { name: 'ownerKey', type: 'text' },
  { name: 'unitId', type: 'int' },
  { name: 'personId', type: 'int' },
  { name: 'periodKey', type: 'text' },
  { name: 'subjectKey', type: 'text' },
  { name: 'title', type: 'text' },
  { name: 'periodStart', type: 'timestamp' },
  { name: 'dueAt', type: 'timestamp' },
  { name: 'requiredCount', type: 'int' },
  { name: 'updatedAt', type: 'timestamp' },
];

/**
 * Write planned obligations through the unique key (ruleCode, ownerKey, periodKey, subjectKey): what
 * exists already is left as it is. Returns how many rows were created.
 */
export async function insertPlanned(db: Tx, plan: readonly PlannedObligation[], now: Date, onProgress?: (done: number, total: number) => void): Promise<number> {
  let created = 0;
  for (let i = 0; i < plan.length; i += CHUNK) {
    const rows = plan.slice(i, i + CHUNK).map((p) => [p.ruleCode, p.ownerKey, p.unitId, p.personId, p.periodKey, p.subjectKey, p.title, p.periodStart, p.dueAt, p.requiredCount, now]);
    created += await bulkInsertIgnore(db, 'Obligation', OBLIGATION_COLUMNS, rows);
    onProgress?.(Math.min(i + CHUNK, plan.length), plan.length);
  }
  return created;
}
