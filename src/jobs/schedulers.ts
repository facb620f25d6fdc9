import type { JobQueue } from './queue.js';
import { JOBS } from './index.js';

const TZ = 'Asia/Shanghai';

/**
 * Make sure Redis holds the job schedulers of the cron jobs (`recover-inbound`, …). Called at start and
 * from every reminder tick, so a Redis that lost its data (FLUSHDB, a restart without persistence) gets
 * its schedulers back within one tick instead of at the next deploy. An existing scheduler is left
 * alone (no upsert churn from every process and tick); a missing one is upserted — `upsertJobScheduler`
 * with the same id and options never creates a second one — and, because its first slot may be a while
 * away, its job is also queued once now (jobId `<name>-resume-<minute>`, so processes ticking at the same
 * time queue it once). Returns the names of the schedulers that were missing.
 */
export async function ensureSchedulers(queue: JobQueue, now: Date, o: { resume?: boolean } = {}): Promise<string[]> {
  const missing: string[] = [];
  for (const job of JOBS) {
    if (!job.cron) continue;
    if (await queue.queue.getJobScheduler(job.name)) continue;
    missing.push(job.name);
    await queue.queue.upsertJobScheduler(job.name, { pattern: job.cron, tz: TZ }, { name: job.name, data: {} });
    if (o.resume !== false) await queue.enqueue(job.name, {}, { jobId: `${job.name}-resume-${Math.floor(now.getTime() / 60_000)}` });
  }
  return missing;
}
