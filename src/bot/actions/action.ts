import type { Deps } from '../../deps.js';
import type { Logger } from '../../logger.js';
import type { CardAction } from '../normalize.js';

/** One per card click or form submit: the action, a bound reply into the card's chat, a logger, the deps. */
export interface ActionContext {
  readonly action: CardAction;
  readonly eventId: string;
  readonly deps: Deps;
  readonly log: Logger;
  replyText(text: string): Promise<void>;
  replyCard(card: unknown): Promise<void>;
}

/** One row of the card-action table, keyed by `value.action`. */
export interface CardActionDef {
  readonly name: string;
  run(ctx: ActionContext): Promise<void>;
}

export function createActionContext(action: CardAction, eventId: string, deps: Deps, log: Logger): ActionContext {
  let n = 0;
  const target = action.chatId ? { chatId: action.chatId } : { openId: action.operatorOpenId };
  const opts = () => ({ purpose: 'action', key: `${eventId}#${n++}`, ...(action.messageId ? { replyTo: action.messageId } : {}) });
  return {
    action,
    eventId,
    deps,
    log,
    async replyText(text) {
      await deps.messenger.text(target, text, opts());
    },
    async replyCard(card) {
      await deps.messenger.card(target, card, opts());
    },
  };
}

/** A positive integer from a card value, or a clear error. */
export function intValue(v: Record<string, unknown>, key: string): number {
  const n = Number(v[key]);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`card value ${key} is not an id`);
  return n;
}
