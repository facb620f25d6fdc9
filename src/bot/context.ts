import type { Deps } from '../deps.js';
import type { Logger } from '../logger.js';
import type { IncomingMessage } from './normalize.js';

/** One per incoming message: the message, a bound reply, a child logger, and the deps. */
export interface MessageContext {
  readonly msg: IncomingMessage;
  readonly deps: Deps;
  readonly log: Logger;
  /** Reply to the message (quoted). Each reply of one handling has its own idempotency key. */
  replyText(text: string): Promise<void>;
  replyCard(card: unknown): Promise<void>;
}

export function createMessageContext(msg: IncomingMessage, deps: Deps, log: Logger): MessageContext {
  let n = 0;
  const opts = () => ({ purpose: 'reply', key: `${msg.messageId}#${n++}`, replyTo: msg.messageId });
  return {
    msg,
    deps,
    log,
    async replyText(text) {
      await deps.messenger.text({ chatId: msg.chatId }, text, opts());
    },
    async replyCard(card) {
      await deps.messenger.card({ chatId: msg.chatId }, card, opts());
    },
  };
}
