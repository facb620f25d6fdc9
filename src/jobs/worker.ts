import { UnrecoverableError, type Job, type Worker } from 'bullmq';
import type { Deps } from '../deps.js';
import { isPermanentError } from '../errors.js';
import type { QueueBackend } from './backend.js';
import { JOBS } from './index.js';
import { QUEUE_NAME } from './queue.js';

/** The jobs each worker is running, with the lock token each holds (see releaseRunningJobs). */
const runningJobs = new WeakMap<Worker, Map<string, { job: Job; token: string | undefined }>>();

/** One worker for all jobs: dispatch by job.name, validate the payload, child logger per job. */
export function startWorker(backend: QueueBackend, deps: Deps, opts: { concurrency?: number; queueName?: string } = {}): Worker {
  const byName = new Map(JOBS.map((j) => [j.name, j]));
  const running = new Map<string, { job: Job; token: string | undefined }>();
  const worker = backend.makeWorker(
    opts.queueName ?? QUEUE_NAME,
    async (job: Job, token?: string) => {
      running.set(String(job.id), { job, token });
      try {
        return await runJob(job);
      } finally {
        running.delete(String(job.id));
      }
    },
    { concurrency: opts.concurrency ?? 16 },
  );
  runningJobs.set(worker, running);
  async function runJob(job: Job): Promise<unknown> {
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
  }
  worker.on('error', (err) => deps.log.error({ err }, 'worker error'));
  worker.on('stalled', (jobId) => deps.log.warn({ jobId }, 'job stalled; it will run again'));
  return worker;
}

/**
 * Hand the jobs this worker is still running back to the queue: each leaves the active list for the
 * front of the waiting one and its lock is removed, so the next worker takes it at once instead of
 * after `lockDuration` (30 s) and a stalled check; no attempt is counted. For a stop whose grace period
 * ran out: the process exits right after, and every job's side effects are idempotent (a send Lark had
 * already accepted is sent again under the same uuid, which Lark answers with the first message).
 */
export async function releaseRunningJobs(worker: Worker): Promise<string[]> {
  const released: string[] = [];
  for (const [id, { job, token }] of runningJobs.get(worker) ?? []) {
    try {
      await job.moveToWait(token);
      released.push(id);
    } catch {
      // Finished meanwhile, or its lock was already gone: nothing to hand back.
    }
  }
  return released;
}
