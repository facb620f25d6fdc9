import { UnrecoverableError, type Job, type Worker } from 'bullmq';
import type { Deps } from '../deps.js';
import { isPermanentError } from '../errors.js';
import type { QueueBackend } from './backend.js';
import { JOBS } from './index.js';
import { QUEUE_NAME } from './queue.js';

/** One worker for all jobs: dispatch by job.name, validate the payload, child logger per job. */
export function startWorker(backend: QueueBackend, deps: Deps, opts: { concurrency?: number; queueName?: string } = {}): Worker {
  const byName = new Map(JOBS.map((j) => [j.name, j]));
  const worker = backend.makeWorker(
    opts.queueName ?? QUEUE_NAME,
    async (job: Job) => {
      const def = byName.get(job.name);
      const log = deps.log.child({ job: job.name, jobId: job.id });
      if (!def) throw new UnrecoverableError(`unknown job ${job.name}`);
      const parsed = def.schema.safeParse(job.data);
      if (!parsed.success) throw new UnrecoverableError(`bad payload for ${job.name}: ${parsed.error.message}`);
      const attempt = job.attemptsMade + 1;
      const finalAttempt = attempt >= (job.opts.attempts ?? 1);
      try {
        return await def.run(parsed.data, { deps, log, jobId: String(job.id), attempt, finalAttempt });
      } catch (err) {
        if (isPermanentError(err)) {
          log.warn({ code: err.code, err: err.message }, 'job failed permanently');
          throw new UnrecoverableError(err.message);
        }
        log.error({ err, attempt, finalAttempt }, 'job failed');
        throw err;
      }
    },
    { concurrency: opts.concurrency ?? 16 },
  );
  worker.on('error', (err) => deps.log.error({ err }, 'worker error'));
  worker.on('stalled', (jobId) => deps.log.warn({ jobId }, 'job stalled; it will run again'));
  return worker;
}
