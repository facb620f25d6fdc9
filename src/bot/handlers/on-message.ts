import { audit } from '../../access/audit.js';
import { isAppError } from '../../errors.js';
import { message } from '../../templates/render.js';
import { aliasMap } from '../commands/command.js';
import { COMMANDS } from '../commands/index.js';
import { parseCommand } from '../commands/parse.js';
import { createMessageContext } from '../context.js';
import type { EventHandler } from '../events.js';
import { answerQuestion } from './question.js';
import { replyToNotice } from '../../notices/replies.js';
import { replyAsReport } from './report-reply.js';
import { receiveFile } from '../../changes/receive-file.js';
import { FILE_HANDLERS } from '../files.js';

const ALIASES = aliasMap(COMMANDS);

/** A message to the bot: a command, or text (a report, a question), or chatter. */
export const onMessage: EventHandler = async (n, deps, log) => {
  if (n.event.kind !== 'message') return;
  const msg = n.event;
  const addressed = msg.chatType === 'p2p' || msg.mentions.some((m) => m.openId === deps.botOpenId);
  if (!addressed) return; // group talk not meant for the bot

  const ctx = createMessageContext(msg, deps, log);
  const parsed = parseCommand(msg.commandText, ALIASES, true);
  // Every command, allowed or refused, goes to the audit log (ids only, never the text).
  const action = parsed.kind === 'command' ? `command:${parsed.command.name}` : parsed.kind === 'unknown_command' ? 'command:unknown' : 'message';
  const record = (result: 'ok' | 'deny' | 'error', detail: Record<string, unknown> = {}) =>
    parsed.kind === 'text' ? Promise.resolve() : audit(deps.db, { actorId: msg.senderOpenId, action, result, detail: { messageId: msg.messageId, chatId: msg.chatId, ...detail } });
  try {
    if (parsed.kind === 'command') {
      const cmd = COMMANDS.find((c) => c.name === parsed.command.name)!;
      log.info({ command: cmd.name }, 'command');
      await cmd.run({ ...ctx, commands: COMMANDS }, parsed.command.args);
      await record('ok');
    } else if (parsed.kind === 'unknown_command') {
      await ctx.replyText(message('unknown-command', { typed: parsed.typed }));
    } else if ((msg.parentId || msg.rootId) && ((await replyAsReport(ctx)) || (await replyToNotice(ctx)))) {
      // a reply to a reminder: stored as the duty's report; to a notice: its feedback, or 已知悉
    } else if (msg.files.length && msg.chatType === 'p2p' && (await receiveFile(ctx, FILE_HANDLERS))) {
      // a file for the OD: an import, the holiday schedule, the duty catalog
    } else if (!msg.text && (msg.imageKeys.length || msg.files.length)) {
      await ctx.replyText(message('evidence-without-reminder'));
    } else if (await answerQuestion({ ...ctx, commands: COMMANDS }, msg.commandText)) {
      // a recognised question (我还有什么没完成, 哪些单位本季度还没开例会, 这个月谁没去联系点)
    } else {
      await ctx.replyText(message('chatter'));
    }
  } catch (err) {
    if (isAppError(err) && err.userFacing) {
      await record(err.code === 'forbidden' || err.code === 'not_in_roster' ? 'deny' : 'error', { code: err.code });
      await ctx.replyText(err.message);
      return;
    }
    // A command that crashed is audited too (once per attempt; the job is retried or fails visibly).
    await record('error', { code: isAppError(err) ? err.code : 'crash' }).catch((e) => log.error({ err: e }, 'could not write the audit row'));
    throw err;
  }
};
