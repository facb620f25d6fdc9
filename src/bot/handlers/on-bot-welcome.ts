import { message } from '../../templates/render.js';
import type { EventHandler } from '../events.js';

/**
 * A user opened the direct chat with the bot, or the bot was added to a group: say who it is,
 * once per user or group (the send key makes every later delivery a no-op).
 */
export const onBotWelcome: EventHandler = async (n, deps) => {
  if (n.event.kind !== 'other') return;
  const e = n.event;
  if (e.eventType === 'im.chat.member.bot.added_v1' && e.chatId) {
    await deps.messenger.text({ chatId: e.chatId }, message('welcome'), { purpose: 'welcome-group', key: e.chatId });
  } else if (e.openId) {
    await deps.messenger.text({ openId: e.openId }, message('welcome'), { purpose: 'welcome', key: e.openId });
  }
};
