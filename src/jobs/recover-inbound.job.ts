import { z } from 'zod';
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
    const now = deps.clock();
    const stuck = await deps.db.inboundEvent.findMany({
      where: { status: 'RECEIVED', receivedAt: { lt: new Date(now.getTime() - 30_000), gt: new Date(now.getTime() - 24 * 3600_000) } },
      select: { id: true, dedupeKey: true },
      take: 1000,
    });
    for (const { id, dedupeKey } of stuck) await deps.queue.enqueue('handle-event', { inboundId: id }, { jobId: eventJobId(dedupeKey) });
    if (stuck.length) log.info({ count: stuck.length }, 'stored events re-enqueued');
    return { requeued: stuck.length };
  },
});
