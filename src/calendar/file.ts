import { replySchedulePreview } from '../bot/actions/calendar-actions.js';
import type { MessageContext } from '../bot/context.js';
import { parseOverrideFile } from '../domain/calendar/working-days.js';
import { AppError, isAppError } from '../errors.js';

/**
 * The override file (calendar-overrides.json) sent to the bot: each year in it is validated and
 * previewed like the form's entry (one preview card per year), and confirmed the same way.
 */
export async function receiveCalendarFile(ctx: MessageContext, file: { name: string; bytes: Buffer }): Promise<void> {
  let schedules;
  try {
    schedules = parseOverrideFile(file.bytes.toString('utf8'), file.name);
  } catch (err) {
    if (isAppError(err, 'config_invalid')) throw new AppError('bad_input', `节假日配置文件有误，未保存：${err.message}`);
    throw err;
  }
  if (!schedules.length) throw new AppError('bad_input', '节假日配置文件中没有任何年份。格式：{ "2027": { "holidays": ["2027-01-01", …], "workdays": ["2027-02-07", …] } }');
  for (const s of schedules) await replySchedulePreview(ctx.deps, ctx.msg.senderOpenId, s, 'file', (c) => ctx.replyCard(c));
}
