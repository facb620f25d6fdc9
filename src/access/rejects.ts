import type { Db } from '../db/client.js';
import type { Logger } from '../logger.js';
import { audit } from './audit.js';

/**
 * Audit rows for webhook requests refused as unauthenticated (bad signature, stale timestamp, bad
 * token, unsigned). A flood of forged requests must not flood the table: at most `perMinute` rows a
 * minute; the next row written says how many were left out in between.
 */
export function webhookRejectAuditor(db: Db, log: Logger, perMinute = 60): (reason: string, remote: string | undefined) => void {
  let windowStart = 0;
  let written = 0;
  let skipped = 0;
  return (reason, remote) => {
    const now = Date.now();
    if (now - windowStart >= 60_000) {
      windowStart = now;
      written = 0;
    }
    if (written >= perMinute) {
      skipped++;
      return;
    }
    written++;
    const detail = { reason, remote: remote ?? null, ...(skipped ? { notAuditedBefore: skipped } : {}) };
    skipped = 0;
    audit(db, { actorId: 'webhook', action: 'webhook.reject', result: 'deny', detail }).catch((err) => log.error({ err }, 'could not audit a refused webhook'));
  };
}
