import { z } from 'zod';
import type { Deps } from '../deps.js';
import { eventJobId } from './handle-event.job.js';
import { defineJob } from './job.js';

/**
 * Redis holds only work in flight. Every minute (and at start) events stored but not done are
 * enqueued again; their deterministic job ids make this a no-op while the original job exists.
 */
export const recoverInboundJob = defineJob({
  name: 'recover-inbound',
  schema: z.object({}).passthrough(),
  cron: '* * * * *',
  async run(_data, { deps, log }) {
    const requeued = await requeueStoredEvents(deps, { minAgeMs: 30_000 });
    if (requeued) log.info({ count: requeued }, 'stored events re-enqueued');
    return { requeued };
  },
});

/**
 * Queue the jobs of events stored in the last 24 h but not handled, received at least `minAgeMs` ago
 * (0 when Redis has just come back: what arrived while it was down is queued at once). Returns how many.
 */
export async function requeueStoredEvents(deps: Pick<Deps, 'db' | 'queue' | 'clock'>, o: { minAgeMs: number }): Promise<number> {
  const now = deps.clock();
  const stuck = await deps.db.inboundEvent.findMany({
    where: { status: 'RECEIVED', receivedAt: { lte: new Date(now.getTime() - o.minAgeMs), gt: new Date(now.getTime() - 24 * 3600_000) } },
    select: { id: true, dedupeKey: true },
    take: 1000,
  });
  for (const { id, dedupeKey } of stuck) await deps.queue.enqueue('handle-event', { inboundId: id }, { jobId: eventJobId(dedupeKey) });
  return stuck.length;
}
