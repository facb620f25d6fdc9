import type { Queue } from 'bullmq';
import type { QueueBackend } from './backend.js';

export const QUEUE_NAME = 'dangjian';

/** Enqueue by job name. Job ids are deterministic (no ':'), so a repeated enqueue adds nothing. */
export class JobQueue {
  readonly queue: Queue;
  constructor(backend: QueueBackend, name = QUEUE_NAME) {
    this.queue = backend.makeQueue(name);
    // Connection errors (Redis down) surface in /healthz and in the calls that fail, not as console noise.
    this.queue.on('error', () => {});
  }

  async enqueue(name: string, data: unknown, opts: { jobId: string; delayMs?: number; attempts?: number }): Promise<void> {
    if (opts.jobId.includes(':')) throw new Error(`job id must not contain ':' (${opts.jobId})`);
    await this.queue.add(name, data, {
      jobId: opts.jobId,
      ...(opts.delayMs ? { delay: opts.delayMs } : {}),
      ...(opts.attempts ? { attempts: opts.attempts } : {}),
    });
  }

  /** Enqueue many at once (one round trip); ids already in the queue add nothing. */
  async enqueueMany(jobs: readonly { name: string; data: unknown; jobId: string }[]): Promise<void> {
    for (const j of jobs) if (j.jobId.includes(':')) throw new Error(`job id must not contain ':' (${j.jobId})`);
    for (let i = 0; i < jobs.length; i += 1000) {
      await this.queue.addBulk(jobs.slice(i, i + 1000).map((j) => ({ name: j.name, data: j.data, opts: { jobId: j.jobId } })));
    }
  }

  /**
   * Of these job ids, retry those kept as failed (their attempts spent, or stalled past BullMQ's limit
   * by workers that died), with their attempts reset. States are read many at a time. Returns how many.
   */
  async reviveFailed(jobIds: readonly string[]): Promise<number> {
    let revived = 0;
    for (let i = 0; i < jobIds.length; i += 500) {
      const ids = jobIds.slice(i, i + 500);
      const states = await Promise.all(ids.map((id) => this.queue.getJobState(id)));
      const failed = ids.filter((_, k) => states[k] === 'failed');
      const jobs = await Promise.all(failed.map((id) => this.queue.getJob(id)));
      await Promise.all(jobs.map((job) => job?.retry('failed', { resetAttemptsMade: true })));
      revived += failed.length;
    }
    return revived;
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}
