import type { Db } from '../db/client.js';
import { eventJobId } from '../jobs/handle-event.job.js';
import type { JobQueue } from '../jobs/queue.js';
import type { Logger } from '../logger.js';
import { usedCardToast } from './actions/card-state.js';
import { EVENT_HANDLERS } from './events.js';
import { MalformedEvent, normalizeEnvelope } from './normalize.js';

export type IntakeStatus = 'queued' | 'duplicate' | 'ignored' | 'unknown_type' | 'malformed';

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
  /** When set, events of other tenants are ignored. */
  tenantKey?: string;
  /** When set, events carrying another token are ignored. */
  verificationToken?: string;
}

const CARD_ACK = { toast: { type: 'info', content: '已收到，正在处理…' } };

/**
 * The shared back half of both transports: check, record, enqueue, and answer at once.
 * The event row is written before anything is done with it (its unique dedupe key turns Lark's
 * redeliveries into no-ops across processes); the queue job carries only the row id, so a lost
 * queue is rebuilt from PostgreSQL by the recover-inbound job.
 */
export class Intake {
  constructor(private readonly o: IntakeOptions) {}

  async accept(raw: unknown): Promise<IntakeResult> {
    let n;
    try {
      n = normalizeEnvelope(raw);
    } catch (err) {
      if (!(err instanceof MalformedEvent)) throw err;
      this.o.log.warn({ err: err.message }, 'malformed event ignored');
      return { status: 'malformed', answer: {} };
    }
    const { meta, event } = n;
    const log = this.o.log.child({ eventId: meta.eventId, eventType: meta.eventType });
    const answer = event.kind === 'card_action' ? CARD_ACK : {};

    const foreign =
      (meta.appId !== '' && meta.appId !== this.o.appId) ||
      (this.o.tenantKey !== undefined && meta.tenantKey !== '' && meta.tenantKey !== this.o.tenantKey) ||
      (this.o.verificationToken !== undefined && meta.token !== '' && meta.token !== this.o.verificationToken);
    const fromBot = event.kind === 'message' && event.senderType !== 'user';
    if (foreign || fromBot) {
      log.info({ foreign, fromBot }, 'event ignored');
      return { status: 'ignored', answer: {} };
    }

    // A click on a card already used: the toast says what was chosen; nothing is queued.
    if (event.kind === 'card_action') {
      const used = await usedCardToast(this.o.db, event.messageId);
      if (used) {
        log.info({ messageId: event.messageId }, 'click on a used card');
        return { status: 'ignored', answer: used };
      }
    }

    const known = meta.eventType in EVENT_HANDLERS;
    // The hot path of every event: one statement, no ORM query planning.
    const status = known ? 'RECEIVED' : 'IGNORED';
    const rows = await this.o.db.$queryRaw<{ id: number }[]>`
      INSERT INTO "InboundEvent" ("dedupeKey", "eventId", "eventType", "payload", "status")
      VALUES (${n.dedupeKey}, ${meta.eventId}, ${meta.eventType}, ${JSON.stringify(n)}::jsonb, ${status}::"InboundStatus")
      ON CONFLICT ("dedupeKey") DO NOTHING
      RETURNING id`;
    const row = rows[0];
    if (!row) {
      log.info({ dedupeKey: n.dedupeKey }, 'duplicate delivery ignored');
      return { status: 'duplicate', answer };
    }
    if (!known) {
      log.info('event type without a handler recorded');
      return { status: 'unknown_type', answer: {} };
    }
    try {
      await this.o.queue.enqueue('handle-event', { inboundId: row.id }, { jobId: eventJobId(n.dedupeKey) });
    } catch (err) {
      // Stored, so not lost: recover-inbound enqueues it when the queue is back.
      log.error({ err }, 'enqueue failed; the event is stored and will be recovered');
    }
    log.debug({ inboundId: row.id }, 'event queued');
    return { status: 'queued', answer };
  }
}
