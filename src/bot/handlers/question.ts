// Plain-Chinese questions (我还有什么没完成, 哪些单位本季度还没开例会, 这个月谁没去联系点): recognised by
// src/domain/stats/questions.ts, answered by /待办 or src/stats/answers.ts, audited as 'question:<name>'.
import { audit } from '../../access/audit.js';
import { matchQuestion } from '../../domain/stats/questions.js';
import { isAppError } from '../../errors.js';
import { answerOversightQuestion } from '../../stats/answers.js';
import type { CommandContext } from '../commands/command.js';

/** If `text` is one of the recognised questions, answer it and return true; else false. */
export async function answerQuestion(ctx: CommandContext, text: string): Promise<boolean> {
  const q = matchQuestion(text);
  if (!q) return false;
  const { deps, msg } = ctx;
  const record = (result: 'ok' | 'deny', detail: Record<string, unknown> = {}) =>
    audit(deps.db, { actorId: msg.senderOpenId, action: `question:${q}`, result, detail: { messageId: msg.messageId, chatId: msg.chatId, ...detail } });
  try {
    if (q === 'todo') {
      const todo = ctx.commands.find((c) => c.name === 'todo');
      if (!todo) return false;
      await todo.run(ctx, '');
    } else {
      const a = await answerOversightQuestion(deps, msg.senderOpenId, q);
      await (a.district ? ctx.privately : ctx).replyText(a.text);
    }
    await record('ok');
    return true;
  } catch (err) {
    if (isAppError(err, 'forbidden') || isAppError(err, 'not_in_roster')) await record('deny', { code: err.code });
    throw err;
  }
}
