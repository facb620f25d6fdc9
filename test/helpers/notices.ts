// Composing a notice as OD staff do it, for the notice tests: /通知, fill the form, 预览.
import type { SentMessage } from '../../src/sandbox/index.js';
import { botReply, type TestBot } from './bot.js';

/** `od` sends /通知 and submits its form with `formValue`; the form card and the preview card the bot answers with. */
export async function submitNoticeForm(bot: TestBot, od: string, formValue: Record<string, unknown>): Promise<{ form: SentMessage; preview: SentMessage }> {
  const form = await botReply(bot, od, '/通知');
  await bot.sandbox.userClicks({ from: od, messageId: form.messageId, name: 'submit', value: { action: 'notice.submit' }, formValue });
  const preview = await bot.sandbox.waitFor((m) => m.parentId === form.messageId && JSON.stringify(m.content).includes('通知预览'));
  return { form, preview };
}
