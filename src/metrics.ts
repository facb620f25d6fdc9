import client from 'prom-client';
import type { Db } from './db/client.js';
import type { JobQueue } from './jobs/queue.js';

/**
 * The bot's Prometheus metrics (GET /metrics). Code elsewhere makes one-line calls into `metrics`;
 * what is read from PostgreSQL or the queue is read when scraped (`watch`). Queue workers in their own
 * processes keep their own counters; the main process asks them on each scrape and adds them up
 * (`render`). Alerts built on these: docs/operations.md.
 */
export const registry = new client.Registry();
client.collectDefaultMetrics({ register: registry, prefix: 'dangjian_' });

const registers = [registry];
const events = new client.Counter({
  name: 'dangjian_events_total',
  help: 'Lark events taken in, by outcome: queued, duplicate (a redelivery), ignored (other app/tenant, a bot), malformed, unknown_type',
  labelNames: ['outcome'],
  registers,
});
const rejected = new client.Counter({
  name: 'dangjian_webhook_rejected_total',
  help: 'Webhook requests refused before intake, by reason: bad_signature (401), bad_request (400), too_large (413), not_found, other',
  labelNames: ['reason'],
  registers,
});
const ack = new client.Histogram({
  name: 'dangjian_event_ack_seconds',
  help: 'Time from an event arriving to Lark getting its answer (webhook: the HTTP response; ws: the intake)',
  labelNames: ['transport'],
  buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 3],
  registers,
});
const jobs = new client.Counter({
  name: 'dangjian_jobs_total',
  help: 'Queue jobs finished, by job name and outcome: completed, failed (will be retried), failed_final',
  labelNames: ['job', 'outcome'],
  registers,
});
const sends = new client.Counter({
  name: 'dangjian_lark_sends_total',
  help: 'Messages sent to Lark, by outcome: ok, 429 (rate limited; waited and retried), unreachable (resigned, out of scope…), failed',
  labelNames: ['outcome'],
  registers,
});
const pacerWait = new client.Histogram({
  name: 'dangjian_pacer_wait_seconds',
  help: "Time a send waited for a slot within Lark's 50/s, 1000/min and 5/s per recipient",
  buckets: [0.001, 0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60],
  registers,
});
const tickDuration = new client.Histogram({
  name: 'dangjian_reminder_tick_seconds',
  help: 'Duration of the reminder tick (plan, claim, queue)',
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  registers,
});
const lastTick = new client.Gauge({
  name: 'dangjian_reminder_tick_last_timestamp_seconds',
  help: 'When the reminder tick last finished (Unix seconds); the newest of all processes',
  aggregator: 'max',
  registers,
});
const digests = new client.Counter({
  name: 'dangjian_reminder_digests_total',
  help: 'Reminder cards (digests), by outcome: claimed (by a tick), sent, already_sent, skipped, failed, not_claimed',
  labelNames: ['outcome'],
  registers,
});

export const metrics = {
  event(outcome: string): void {
    events.inc({ outcome });
  },
  /** A webhook answer: counts a refusal by its status code. */
  webhookAnswered(status: number, seconds: number): void {
    ack.observe({ transport: 'webhook' }, seconds);
    if (status >= 400) rejected.inc({ reason: REJECT_REASONS[status] ?? 'other' });
  },
  wsAcked(seconds: number): void {
    ack.observe({ transport: 'ws' }, seconds);
  },
  job(job: string, outcome: 'completed' | 'failed' | 'failed_final'): void {
    jobs.inc({ job, outcome });
  },
  send(outcome: 'ok' | '429' | 'unreachable' | 'failed'): void {
    sends.inc({ outcome });
  },
  pacerWaited(seconds: number): void {
    pacerWait.observe(seconds);
  },
  tick(seconds: number, claimed: number): void {
    tickDuration.observe(seconds);
    lastTick.set(Date.now() / 1000);
    if (claimed) digests.inc({ outcome: 'claimed' }, claimed);
  },
  digest(outcome: string): void {
    digests.inc({ outcome: outcome.replace('-', '_') });
  },
};

const REJECT_REASONS: Record<number, string> = { 400: 'bad_request', 401: 'bad_signature', 404: 'not_found', 413: 'too_large' };

/** A claimed reminder card not sent after this long is stuck (the tick hands claims out again after 2 minutes). */
export const STUCK_CLAIM_MS = 15 * 60_000;

let watched: { db: Db; queue: JobQueue; clock: () => Date; queueUnavailable?: () => string | undefined } | undefined;

/** Read the queue's depth and the stuck claims from the database when scraped (the process serving /metrics). */
export function watch(o: { db: Db; queue: JobQueue; clock: () => Date; queueUnavailable?: () => string | undefined }): void {
  watched = o;
}

new client.Gauge({
  name: 'dangjian_queue_jobs',
  help: 'Jobs in the queue by state (waiting, active, delayed, prioritized, failed)',
  labelNames: ['state'],
  aggregator: 'max',
  registers,
  async collect() {
    if (!watched || watched.queueUnavailable?.()) return; // Redis down: no figure rather than a scrape that hangs
    const counts = await watched.queue.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'failed');
    for (const [state, n] of Object.entries(counts)) this.set({ state }, n);
  },
});
new client.Gauge({
  name: 'dangjian_reminder_stuck_claims',
  help: `Reminder cards claimed more than ${STUCK_CLAIM_MS / 60_000} minutes ago and still not sent`,
  aggregator: 'max',
  registers,
  async collect() {
    if (!watched) return;
    this.set(await watched.db.reminderDigest.count({ where: { status: 'CLAIMED', claimedAt: { lt: new Date(watched.clock().getTime() - STUCK_CLAIM_MS) } } }));
  },
});

export type MetricsSnapshot = Awaited<ReturnType<typeof registry.getMetricsAsJSON>>;

/** This process's metrics plus those of `others` (the worker processes), in Prometheus's text format. */
export async function render(others: MetricsSnapshot[] = []): Promise<{ contentType: string; body: string }> {
  if (!others.length) return { contentType: registry.contentType, body: await registry.metrics() };
  const all = client.AggregatorRegistry.aggregate([await registry.getMetricsAsJSON(), ...others]);
  return { contentType: all.contentType, body: await all.metrics() };
}

/** For the worker processes: answer the main process's requests for a snapshot over IPC. */
export function answerSnapshotRequests(): void {
  process.on('message', (m: { metricsRequest?: number }) => {
    if (typeof m?.metricsRequest !== 'number') return;
    void registry.getMetricsAsJSON().then((data) => process.send?.({ metricsReply: m.metricsRequest, data }));
  });
}
