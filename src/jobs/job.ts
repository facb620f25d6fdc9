import type { z } from 'zod';
import type { Deps } from '../deps.js';
import type { Logger } from '../logger.js';

export interface JobContext {
  readonly deps: Deps;
  readonly log: Logger;
  readonly jobId: string;
  /** 1 on the first run. */
  readonly attempt: number;
  /** true when a failure now will not be retried: the handler should leave a trace for people. */
  readonly finalAttempt: boolean;
}

/** One row of the job table: a name, a payload schema, and the handler. */
export interface JobDef<S extends z.ZodType = z.ZodType> {
  readonly name: string;
  readonly schema: S;
  /** Cron pattern (Asia/Shanghai) for jobs the queue schedules by itself. */
  readonly cron?: string;
  run(data: z.infer<S>, ctx: JobContext): Promise<unknown>;
}

export function defineJob<S extends z.ZodType>(def: JobDef<S>): JobDef<S> {
  return def;
}
