import type { Db } from '../db/client.js';
import type { JobQueue } from '../jobs/queue.js';
import type { LarkClient } from '../lark/client.js';

export interface Health {
  ok: boolean;
  checks: Record<string, { ok: boolean; error?: string; ms: number }>;
}

/** GET /healthz: the database answers, the queue answers, and Lark gives us a token. */
export async function healthCheck(d: { db: Db; queue: JobQueue; lark: LarkClient; queueUnavailable?: () => string | undefined }): Promise<Health> {
  const run = async (fn: () => Promise<unknown>) => {
    const t = performance.now();
    try {
      await withTimeout(fn(), 3000);
      return { ok: true, ms: Math.round(performance.now() - t) };
    } catch (err) {
      return { ok: false, error: err instanceof Error ? err.message : String(err), ms: Math.round(performance.now() - t) };
    }
  };
  const [database, queue, lark] = await Promise.all([
    run(() => d.db.$queryRawUnsafe('SELECT 1')),
    run(async () => {
      const down = d.queueUnavailable?.();
      if (down) throw new Error(down);
      await d.queue.queue.getJobCounts('waiting');
    }),
    run(async () => {
      const token = await (d.lark as unknown as { tokenManager: { getTenantAccessToken(): Promise<string> } }).tokenManager.getTenantAccessToken();
      if (!token) throw new Error('no tenant_access_token');
    }),
  ]);
  return { ok: database.ok && queue.ok && lark.ok, checks: { database, queue, lark } };
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return Promise.race([p, new Promise<T>((_, rej) => setTimeout(() => rej(new Error(`timed out after ${ms} ms`)), ms).unref())]);
}
