import type { Deps } from '../../deps.js';
import type { Logger } from '../../logger.js';
import type { CardAction } from '../normalize.js';
import { finishCard } from './card-state.js';

/** One per card click or form submit: the action, a bound reply into the card's chat, a logger, the deps. */
export interface ActionContext {
  readonly action: CardAction;
  readonly eventId: string;
  readonly deps: Deps;
  readonly log: Logger;
  replyText(text: string): Promise<void>;
  replyCard(card: unknown): Promise<void>;
  /** The clicked card has done its work: replace it with what was chosen (buttons gone) and remember the outcome. */
  finishCard(outcome: string, replacement?: Record<string, unknown>): Promise<void>;
}

/** One row of the card-action table, keyed by `value.action`. */
export interface CardActionDef {
  readonly name: string;
  /**
   * Single use: the card is claimed before the action runs, so a second click on it is answered with
   * what was chosen and changes nothing (card-state.ts). A function decides by the button's value.
   */
  readonly once?: boolean | ((value: Record<string, unknown>) => boolean);
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
    async finishCard(outcome, replacement) {
      await finishCard(deps, action.messageId || undefined, outcome, replacement);
    },
  };
}

/** A positive integer from a card value, or a clear error. */
export function intValue(v: Record<string, unknown>, key: string): number {
  const n = Number(v[key]);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`card value ${key} is not an id`);
  return n;
}
