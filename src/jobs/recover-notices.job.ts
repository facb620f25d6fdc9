import { z } from 'zod';
import { resumeNotices } from '../notices/service.js';
import { defineJob } from './job.js';

/**
 * Redis holds only work in flight. Every minute (and at once when the reminder tick finds the schedulers
 * gone with Redis' data) the recipients of confirmed notices still PENDING get their send job again: a
 * no-op while the job exists; a job lost with Redis is queued anew, one failed without an answer
 * (workers killed under it) is retried.
 */
export const recoverNoticesJob = defineJob({
  name: 'recover-notices',
  schema: z.object({}).passthrough(),
  cron: '* * * * *',
  async run(_data, { deps, log }) {
    const out = await resumeNotices(deps);
    if (out.revived) log.info(out, 'notice sends resumed');
    return out;
  },
});
