import { schedule } from 'node-cron';
import type { Deps } from '../deps.js';
import { ensureSchedulers } from '../jobs/schedulers.js';
import { metrics } from '../metrics.js';
import { runReminderTick } from './tick.js';

/** Every five minutes, Beijing time; the tick itself sends only on working days in WORK_HOURS. */
export const REMINDER_CRON = '*/5 * * * *';

export interface ReminderCron {
  /** Stop ticking; resolves when a running tick has finished. */
  stop(): Promise<void>;
}

/**
 * The reminder tick in this process. Every process may run it: the ticks queue up on a PostgreSQL
 * advisory lock and claims are unique per recipient and day, so one card goes out however many run.
 * It also runs once at start, so a restart (or a Redis that lost its jobs) catches up at once. Each tick
 * first re-creates the job schedulers if Redis lost them (src/jobs/schedulers.ts).
 */
export function startReminderCron(deps: Deps, o: { pattern?: string; runAtStart?: boolean; ensureSchedulers?: boolean } = {}): ReminderCron {
  const log = deps.log.child({ part: 'reminder-cron' });
  let running: Promise<unknown> = Promise.resolve();
  let busy = false;
  const tick = () => {
    if (busy) return running;
    busy = true;
    running = (async () => {
      if (o.ensureSchedulers !== false) {
        const recreated = await ensureSchedulers(deps.queue, deps.clock()).catch((err) => log.error({ err }, 'cannot check the job schedulers; the next tick retries'));
        if (recreated?.length) log.warn({ recreated }, 'job schedulers were missing from Redis (data lost?); re-created');
      }
      const started = performance.now();
      const result = await runReminderTick(deps, { now: deps.clock() });
      metrics.tick((performance.now() - started) / 1000, result.digests.length);
    })()
      .catch((err) => log.error({ err }, 'reminder tick failed; the next one retries'))
      .finally(() => (busy = false));
    return running;
  };
  const task = schedule(o.pattern ?? REMINDER_CRON, () => tick(), { timezone: 'Asia/Shanghai', name: 'reminder-tick', noOverlap: true });
  if (o.runAtStart !== false) void tick();
  return {
    async stop() {
      await task.destroy();
      await running;
    },
  };
}
