import type { Deps } from '../deps.js';
import type { Logger } from '../logger.js';
import { onBotWelcome } from './handlers/on-bot-welcome.js';
import { onCardAction } from './handlers/on-card-action.js';
import { onMessage } from './handlers/on-message.js';
import { onMessageRead } from './handlers/on-message-read.js';
import { onMenu } from './handlers/on-menu.js';
import type { Normalized } from './normalize.js';

export type EventHandler = (n: Normalized, deps: Deps, log: Logger) => Promise<void>;

/** The event table: Lark event type → handler (one file each). Other types are recorded and ignored. */
export const EVENT_HANDLERS: Readonly<Record<string, EventHandler>> = {
  'im.message.receive_v1': onMessage,
  'card.action.trigger': onCardAction,
  'im.chat.access_event.bot_p2p_chat_entered_v1': onBotWelcome,
  'im.chat.member.bot.added_v1': onBotWelcome,
  'im.message.message_read_v1': onMessageRead,
  'application.bot.menu_v6': onMenu,
};
