import type { Deps } from '../deps.js';
import type { Logger } from '../logger.js';
import { message } from '../templates/render.js';
import type { IncomingMessage } from './normalize.js';

export interface Replies {
  replyText(text: string): Promise<void>;
  replyCard(card: unknown): Promise<void>;
  replyFile(fileKey: string): Promise<void>;
}

/** One per incoming message: the message, a bound reply, a child logger, and the deps. */
export interface MessageContext extends Replies {
  readonly msg: IncomingMessage;
  readonly deps: Deps;
  readonly log: Logger;
  /**
   * The same replies for the asker's eyes only (a workbook of names and report texts, the whole
   * district's figures): in a group they go to the asker's private chat with the bot, and the group
   * gets one line saying so; in a private chat they are ordinary replies.
   */
  readonly privately: Replies;
}

export function createMessageContext(msg: IncomingMessage, deps: Deps, log: Logger): MessageContext {
  let n = 0;
  const opts = () => ({ purpose: 'reply', key: `${msg.messageId}#${n++}`, replyTo: msg.messageId });
  const here: Replies = {
    async replyText(text) {
      await deps.messenger.text({ chatId: msg.chatId }, text, opts());
    },
    async replyCard(card) {
      await deps.messenger.card({ chatId: msg.chatId }, card, opts());
    },
    async replyFile(fileKey) {
      await deps.messenger.send({ ...opts(), to: { chatId: msg.chatId }, msgType: 'file', content: { file_key: fileKey } });
    },
  };
  let groupTold = false;
  const dm = async (send: (o: { purpose: string; key: string }) => Promise<unknown>) => {
    await send({ purpose: 'private-reply', key: `${msg.messageId}#${n++}` });
    if (!groupTold) {
      groupTold = true;
      await here.replyText(message('sent-privately'));
    }
  };
  const to = { openId: msg.senderOpenId };
  const privately: Replies =
    msg.chatType === 'group'
      ? {
          replyText: (text) => dm((o) => deps.messenger.text(to, text, o)),
          replyCard: (card) => dm((o) => deps.messenger.card(to, card, o)),
          replyFile: (fileKey) => dm((o) => deps.messenger.send({ ...o, to, msgType: 'file', content: { file_key: fileKey } })),
        }
      : here;
  return { msg, deps, log, ...here, privately };
}
