import { createHash } from 'node:crypto';
import type { Db } from '../db/client.js';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { LarkClient } from './client.js';
import { classifyLarkError, failureToAppError, type LarkFailure } from './errors.js';
import { Pacer, type SendClass, type SendPacer } from './pacer.js';
import { metrics } from '../metrics.js';

export type Target = { openId: string } | { chatId: string };

export interface OutMessage {
  /** What the message is for, e.g. 'reply', 'reminder', 'notice'. Part of the idempotency key. */
  purpose: string;
  /** What makes it unique within its purpose, e.g. the inbound message_id or the reminder id. */
  key: string;
  to: Target;
  /** Reply to this message (quote) instead of starting a new one. */
  replyTo?: string;
  msgType: 'text' | 'interactive' | 'post' | 'file';
  /** The content object; stringified here as Lark wants. */
  content: unknown;
}

export interface SendResult {
  messageId: string;
  /** true when this send had already happened and nothing new was sent. */
  deduped: boolean;
}

/** The one way the bot talks to Lark. Every send is recorded and carries Lark's `uuid`. */
export interface Messenger {
  send(m: OutMessage): Promise<SendResult>;
  text(to: Target, text: string, opts: { purpose: string; key: string; replyTo?: string }): Promise<SendResult>;
  card(to: Target, card: unknown, opts: { purpose: string; key: string; replyTo?: string }): Promise<SendResult>;
  patchCard(messageId: string, card: unknown): Promise<void>;
}

/**
 * Answers to a user (a reply to their message or card click, a confirmation, a welcome): these may use
 * the part of Lark's per-minute budget that the pacer keeps from bulk sends (reminders, notices, …).
 */
const INTERACTIVE_PURPOSES = new Set(['reply', 'private-reply', 'action', 'error', 'report-confirm', 'export', 'welcome', 'welcome-group', 'menu']);

export function sendClass(m: Pick<OutMessage, 'purpose' | 'replyTo'>): SendClass {
  return m.replyTo !== undefined || INTERACTIVE_PURPOSES.has(m.purpose) ? 'interactive' : 'bulk';
}

/** Lark's uuid: at most 50 characters; the same uuid sends at most one message within an hour. */
export function sendUuid(purpose: string, key: string): string {
  return createHash('sha256').update(`${purpose}\u0000${key}`).digest('base64url').slice(0, 40);
}

export interface MessengerOptions {
  client: LarkClient;
  db: Db;
  log: Logger;
  pacer?: SendPacer;
  /** Attempts for server errors and network failures (rate limits do not count). */
  maxAttempts?: number;
  /** Longest wait honoured from x-ogw-ratelimit-reset before giving the job back to the queue. */
  maxRateLimitWaitMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class LarkMessenger implements Messenger {
  private readonly pacer: SendPacer;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly maxAttempts: number;
  private readonly maxRateLimitWaitMs: number;

  constructor(private readonly o: MessengerOptions) {
    this.pacer = o.pacer ?? new Pacer();
    this.sleep = o.sleep ?? realSleep;
    this.maxAttempts = o.maxAttempts ?? 4;
    this.maxRateLimitWaitMs = o.maxRateLimitWaitMs ?? 60_000;
  }

  text(to: Target, text: string, opts: { purpose: string; key: string; replyTo?: string }): Promise<SendResult> {
    return this.send({ ...opts, to, msgType: 'text', content: { text } });
  }

  card(to: Target, card: unknown, opts: { purpose: string; key: string; replyTo?: string }): Promise<SendResult> {
    return this.send({ ...opts, to, msgType: 'interactive', content: card });
  }

  async send(m: OutMessage): Promise<SendResult> {
    const uuid = sendUuid(m.purpose, m.key);
    const receiveId = 'openId' in m.to ? m.to.openId : m.to.chatId;
    const db = this.o.db;
    await db.outboundMessage.createMany({
      data: [{ uuid, purpose: m.purpose, receiveId, msgType: m.msgType }],
      skipDuplicates: true,
    });
    const row = await db.outboundMessage.findUniqueOrThrow({ where: { uuid } });
    if (row.status === 'SENT' && row.messageId) return { messageId: row.messageId, deduped: true };
    if (row.status === 'FAILED' && row.errorCode?.startsWith('unreachable')) {
      throw new AppError('lark_unreachable_target', row.errorMsg ?? 'unreachable', { larkCode: row.errorCode });
    }

    const content = JSON.stringify(m.content);
    const kind = sendClass(m);
    let attempts = 0;
    for (;;) {
      attempts++;
      const waitFrom = performance.now();
      await this.pacer.acquire(receiveId, Date.now, kind);
      metrics.pacerWaited((performance.now() - waitFrom) / 1000);
      let failure: LarkFailure;
      try {
        const res = m.replyTo
          ? await this.o.client.im.v1.message.reply({ path: { message_id: m.replyTo }, data: { content, msg_type: m.msgType, uuid } })
          : await this.o.client.im.v1.message.create({
              params: { receive_id_type: 'openId' in m.to ? 'open_id' : 'chat_id' },
              data: { receive_id: receiveId, msg_type: m.msgType, content, uuid },
            });
        if (res.code === 0 && res.data?.message_id) {
          await db.outboundMessage.update({
            where: { uuid },
            data: { status: 'SENT', messageId: res.data.message_id, attempts: { increment: attempts }, errorCode: null, errorMsg: null },
          });
          metrics.send('ok');
          return { messageId: res.data.message_id, deduped: false };
        }
        failure = classifyLarkError(res);
      } catch (err) {
        failure = classifyLarkError(err);
      }

      const log = this.o.log.child({ uuid, purpose: m.purpose, attempt: attempts });
      metrics.send(failure.kind === 'rate_limited' ? '429' : failure.kind === 'unreachable' ? 'unreachable' : 'failed');
      if (failure.kind === 'rate_limited' && failure.retryAfterMs <= this.maxRateLimitWaitMs && attempts < this.maxAttempts + 10) {
        log.warn({ waitMs: failure.retryAfterMs, code: failure.code }, 'lark rate limited; waiting');
        await this.sleep(failure.retryAfterMs);
        continue;
      }
      if (failure.kind === 'retryable' && attempts < this.maxAttempts) {
        const wait = 500 * 3 ** (attempts - 1);
        log.warn({ waitMs: wait, status: failure.status, code: failure.code, msg: failure.message }, 'lark send failed; retrying');
        await this.sleep(wait);
        continue;
      }
      const final = failure.kind === 'unreachable' || failure.kind === 'bad_request' || failure.kind === 'auth';
      // FAILED with the reason, whether or not the queue will try again: a later attempt with the same
      // uuid sends (unless the target is unreachable) and sets SENT; SENDING means "in flight" only.
      await db.outboundMessage.update({
        where: { uuid },
        data: {
          status: 'FAILED',
          errorCode: `${failure.kind}${'code' in failure && failure.code !== null ? `:${failure.code}` : ''}`,
          errorMsg: 'message' in failure ? failure.message : 'rate limited',
          attempts: { increment: attempts },
        },
      });
      log.error({ failure }, final ? 'lark send refused; not retrying' : 'lark send failed; handing back to the queue');
      throw failureToAppError(failure);
    }
  }

  async patchCard(messageId: string, card: unknown): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      let failure: LarkFailure;
      try {
        const res = await this.o.client.im.v1.message.patch({ path: { message_id: messageId }, data: { content: JSON.stringify(card) } });
        if (res.code === 0) return;
        failure = classifyLarkError(res);
      } catch (err) {
        failure = classifyLarkError(err);
      }
      if ((failure.kind === 'rate_limited' || failure.kind === 'retryable') && attempt < this.maxAttempts) {
        await this.sleep(failure.kind === 'rate_limited' ? failure.retryAfterMs : 500 * 3 ** (attempt - 1));
        continue;
      }
      throw failureToAppError(failure);
    }
  }
}
