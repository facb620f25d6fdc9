import type { Db } from '../db/client.js';
import { eventJobId } from '../jobs/handle-event.job.js';
import type { JobQueue } from '../jobs/queue.js';
import type { Logger } from '../logger.js';
import { usedCardToast } from './actions/card-state.js';
import { EVENT_HANDLERS } from './events.js';
import { MalformedEvent, normalizeEnvelope, type Normalized } from './normalize.js';

export type IntakeStatus = 'queued' | 'duplicate' | 'ignored' | 'unknown_type' | 'malformed' | 'overloaded';

export interface IntakeResult {
  status: IntakeStatus;
  /** The body to answer Lark with (card callbacks show it to the user). */
  answer: Record<string, unknown>;
}

export interface IntakeOptions {
  db: Db;
  queue: JobQueue;
  log: Logger;
  appId: string;
  /**
   * The tenant served: events of other tenants are ignored. 'learn': the tenant of the first event
   * accepted (when Lark could not be asked), fixed from then on.
   */
  tenantKey: string | 'learn';
  /** When set, events carrying another token are ignored. */
  verificationToken?: string;
  /** Limits of the acknowledgement path (defaults: INTAKE_LIMITS). */
  limits?: Partial<IntakeLimits>;
}

export interface IntakeLimits {
  /** Events whose row is not written yet; one more is refused at once ('overloaded': 503, Lark re-delivers). */
  maxWaiting: number;
  /** An event whose row is not written within this is answered 'overloaded' (Lark waits 3 s, then re-delivers). */
  deadlineMs: number;
  /** Rows per INSERT. */
  maxBatch: number;
  /** INSERTs in flight at once; events arriving meanwhile wait and go in the next one. */
  writers: number;
}

export const INTAKE_LIMITS: IntakeLimits = { maxWaiting: 4000, deadlineMs: 1500, maxBatch: 500, writers: 2 };

const CARD_ACK = { toast: { type: 'info', content: '已收到，正在处理…' } };

interface Waiting {
  key: string;
  /** Its type has a handler: a job is queued for it once stored. */
  known: boolean;
  row: { k: string; e: string; t: string; p: Normalized; s: 'RECEIVED' | 'IGNORED' };
  done: (id: number | null) => void;
  fail: (err: unknown) => void;
}

// One statement and one parameter (a JSON array of rows) for a whole batch; a redelivery (the same
// dedupe key) inserts nothing and returns no row.
const INSERT_EVENTS =
  'INSERT INTO "InboundEvent" ("dedupeKey", "eventId", "eventType", "payload", "status") ' +
  'SELECT k, e, t, p, s::"InboundStatus" FROM jsonb_to_recordset($1::jsonb) AS v(k text, e text, t text, p jsonb, s text) ' +
  'ON CONFLICT ("dedupeKey") DO NOTHING RETURNING id, "dedupeKey" AS key';

/**
 * The shared back half of both transports: check, store, answer; queue after answering.
 *
 * Before Lark gets its answer the event is durable: its `InboundEvent` row is written under its unique
 * dedupe key (so a redelivery is a no-op in every process). That is the only round trip on the
 * acknowledgement path. Events arriving while a write is in flight go into the next one (one
 * multi-row INSERT, up to `maxBatch`), so a burst costs few commits rather than one each. The job that
 * handles the row is queued after the answer, also in batches (one round trip to Redis each); should
 * the process die in between, `recover-inbound` queues stored rows that are not done.
 *
 * Bounded: more than `maxWaiting` events waiting for their write, or a write slower than `deadlineMs`,
 * and the event is answered 'overloaded' (the webhook says 503) at once, so Lark re-delivers it later
 * instead of the intake falling silently past Lark's 3 s. A row that lands after such an answer is
 * still queued; the redelivery is then a duplicate.
 */
export class Intake {
  private readonly limits: IntakeLimits;
  private waiting: Waiting[] = [];
  /** Events whose row is not written yet: waiting, or in an INSERT in flight. */
  private unwritten = 0;
  private writing = 0;
  private toQueue: { id: number; key: string }[] = [];
  private queueing = false;
  private lastOverloadLog = 0;
  private idle: (() => void)[] = [];

  private tenantKey: string | undefined;

  constructor(private readonly o: IntakeOptions) {
    this.limits = { ...INTAKE_LIMITS, ...o.limits };
    this.tenantKey = o.tenantKey === 'learn' ? undefined : o.tenantKey;
  }

  async accept(raw: unknown): Promise<IntakeResult> {
    let n: Normalized;
    try {
      n = normalizeEnvelope(raw);
    } catch (err) {
      if (!(err instanceof MalformedEvent)) throw err;
      this.o.log.warn({ err: err.message }, 'malformed event ignored');
      return { status: 'malformed', answer: {} };
    }
    const { meta, event } = n;
    const answer = event.kind === 'card_action' ? CARD_ACK : {};

    const foreign =
      (meta.appId !== '' && meta.appId !== this.o.appId) ||
      (this.tenantKey !== undefined && meta.tenantKey !== this.tenantKey) ||
      (this.o.verificationToken !== undefined && meta.token !== '' && meta.token !== this.o.verificationToken);
    const fromBot = event.kind === 'message' && event.senderType !== 'user';
    if (!foreign && this.tenantKey === undefined && meta.tenantKey) {
      this.tenantKey = meta.tenantKey;
      this.o.log.warn({ tenantKey: meta.tenantKey }, 'serving only the tenant of this first event (set LARK_TENANT_KEY to name it)');
    }
    if (foreign || fromBot) {
      this.o.log.info({ eventId: meta.eventId, eventType: meta.eventType, foreign, fromBot }, 'event ignored');
      return { status: 'ignored', answer: {} };
    }

    if (this.unwritten >= this.limits.maxWaiting) return this.overloaded('too many waiting');

    // A click on a card already used: the toast says what was chosen; nothing is queued.
    if (event.kind === 'card_action') {
      const used = await usedCardToast(this.o.db, event.messageId);
      if (used) {
        this.o.log.info({ eventId: meta.eventId, messageId: event.messageId }, 'click on a used card');
        return { status: 'ignored', answer: used };
      }
    }

    const known = meta.eventType in EVENT_HANDLERS;
    const stored = this.store(n, known);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), this.limits.deadlineMs)));
    const id = await Promise.race([stored, late]).finally(() => clearTimeout(timer));
    if (id === 'late') {
      stored.catch(() => {}); // the redelivery will find it stored, or store it then
      return this.overloaded('slow write');
    }
    if (id === null) {
      this.o.log.info({ eventId: meta.eventId, dedupeKey: n.dedupeKey }, 'duplicate delivery ignored');
      return { status: 'duplicate', answer };
    }
    if (!known) {
      this.o.log.info({ eventId: meta.eventId, eventType: meta.eventType }, 'event type without a handler recorded');
      return { status: 'unknown_type', answer: {} };
    }
    this.o.log.debug({ eventId: meta.eventId, inboundId: id }, 'event stored');
    return { status: 'queued', answer };
  }

  /** Resolves when nothing waits to be written or queued (tests; shutdown). */
  drained(): Promise<void> {
    if (!this.unwritten && !this.toQueue.length && !this.queueing) return Promise.resolve();
    return new Promise((r) => this.idle.push(r));
  }

  private overloaded(why: string): IntakeResult {
    const now = Date.now();
    if (now - this.lastOverloadLog > 1000) {
      this.lastOverloadLog = now;
      this.o.log.warn({ why, unwritten: this.unwritten }, 'intake overloaded: answering 503 so that Lark re-delivers');
    }
    return { status: 'overloaded', answer: { code: 503, msg: 'busy, retry later' } };
  }

  /** The row id of the stored event, or null when its dedupe key was already stored. */
  private store(n: Normalized, known: boolean): Promise<number | null> {
    return new Promise((done, fail) => {
      this.unwritten++;
      const row = { k: n.dedupeKey, e: n.meta.eventId, t: n.meta.eventType, p: n, s: known ? ('RECEIVED' as const) : ('IGNORED' as const) };
      this.waiting.push({ key: n.dedupeKey, known, row, done, fail });
      this.write();
    });
  }

  private write(): void {
    while (this.writing < this.limits.writers && this.waiting.length) {
      const batch = this.waiting.splice(0, this.limits.maxBatch);
      this.writing++;
      void this.insert(batch).finally(() => {
        this.writing--;
        this.unwritten -= batch.length;
        this.write();
        this.checkIdle();
      });
    }
  }

  private async insert(batch: Waiting[]): Promise<void> {
    // A key twice in one batch: the first is the event, the second a duplicate.
    const first = new Map<string, Waiting>();
    for (const w of batch) if (!first.has(w.key)) first.set(w.key, w);
    const rows = [...first.values()].map((w) => w.row);
    try {
      const made = await this.o.db.$queryRawUnsafe<{ id: number; key: string }[]>(INSERT_EVENTS, JSON.stringify(rows));
      const ids = new Map(made.map((m) => [m.key, m.id]));
      for (const w of batch) {
        const id = first.get(w.key) === w ? (ids.get(w.key) ?? null) : null;
        // Stored: its job is queued whatever the answer (even one given up on as late).
        if (id !== null && w.known) this.queueSoon(id, w.key);
        w.done(id);
      }
    } catch (err) {
      this.o.log.error({ err, events: batch.length }, 'storing events failed');
      for (const w of batch) w.fail(err);
    }
  }

  private queueSoon(id: number, key: string): void {
    this.toQueue.push({ id, key });
    if (this.queueing) return;
    this.queueing = true;
    setImmediate(() => void this.queueAll());
  }

  /** Queue the stored events' jobs, a batch per round trip. Stored, so never lost: recover-inbound queues what fails here. */
  private async queueAll(): Promise<void> {
    while (this.toQueue.length) {
      const batch = this.toQueue.splice(0, 1000);
      try {
        await this.o.queue.enqueueMany(batch.map((e) => ({ name: 'handle-event', data: { inboundId: e.id }, jobId: eventJobId(e.key) })));
      } catch (err) {
        this.o.log.error({ err, events: batch.length }, 'enqueue failed; the events are stored and recover-inbound will queue them');
      }
    }
    this.queueing = false;
    this.checkIdle();
  }

  private checkIdle(): void {
    if (this.unwritten || this.toQueue.length || this.queueing) return;
    for (const r of this.idle.splice(0)) r();
  }
}
