import { audit } from '../../access/audit.js';
import { isAppError } from '../../errors.js';
import { message } from '../../templates/render.js';
import type { Replies } from '../context.js';
import type { MessageContext } from '../context.js';
import { COMMANDS } from '../commands/index.js';
import type { EventHandler } from '../events.js';
import { menuEntry } from '../menu.js';
import type { IncomingMessage } from '../normalize.js';

/**
 * A click on the bot menu: the entry's command runs as if typed in the 1:1 chat, and answers there.
 * Audited like a typed command; an unknown key (a menu entry not in our table) gets /帮助's hint.
 */
export const onMenu: EventHandler = async (n, deps, log) => {
  if (n.event.kind !== 'menu') return;
  const { operatorOpenId: openId, eventKey } = n.event;
  let i = 0;
  const opts = () => ({ purpose: 'menu', key: `${n.meta.eventId}#${i++}` });
  const replies: Replies = {
    replyText: async (text) => void (await deps.messenger.text({ openId }, text, opts())),
    replyCard: async (card) => void (await deps.messenger.card({ openId }, card, opts())),
    replyFile: async (fileKey) => void (await deps.messenger.send({ to: { openId }, msgType: 'file', content: { file_key: fileKey }, ...opts() })),
  };
  // The menu lives in the 1:1 chat: the "message" is the click, answered in that chat.
  const msg: IncomingMessage = {
    kind: 'message', messageId: `menu:${n.meta.eventId}`, chatId: '', chatType: 'p2p', senderOpenId: openId, senderType: 'user',
    senderTenantKey: n.meta.tenantKey, msgType: 'menu', text: '', commandText: '', mentions: [], imageKeys: [], files: [], createTimeMs: n.meta.createTimeMs,
  };
  const ctx: MessageContext = { msg, deps, log: log.child({ menu: eventKey }), ...replies, privately: replies };
  const entry = menuEntry(eventKey);
  if (!entry) {
    await ctx.replyText('这个菜单项暂不可用。发送 /帮助 查看全部命令。');
    return;
  }
  if (entry.message) {
    await ctx.replyText(message(entry.message));
    return;
  }
  const cmd = COMMANDS.find((c) => c.name === entry.command!.name)!;
  const record = (result: 'ok' | 'deny' | 'error', detail: Record<string, unknown> = {}) =>
    audit(deps.db, { actorId: openId, action: `command:${cmd.name}`, result, detail: { via: 'menu', eventKey, ...detail } });
  try {
    await cmd.run({ ...ctx, commands: COMMANDS }, entry.command!.args);
    await record('ok');
  } catch (err) {
    if (isAppError(err) && err.userFacing) {
      await record(err.code === 'forbidden' || err.code === 'not_in_roster' ? 'deny' : 'error', { code: err.code });
      await ctx.replyText(err.message);
      return;
    }
    throw err;
  }
};
