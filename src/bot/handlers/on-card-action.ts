import { isAppError } from '../../errors.js';
import { CARD_ACTIONS } from '../actions/index.js';
import { createActionContext } from '../actions/action.js';
import type { EventHandler } from '../events.js';

/**
 * A card button or form. The callback itself was answered at intake with a toast; the work is
 * done here, from the queue, by the action named in the button's `value.action`.
 */
export const onCardAction: EventHandler = async (n, deps, log) => {
  if (n.event.kind !== 'card_action') return;
  const name = String(n.event.value.action ?? '');
  const ctx = createActionContext(n.event, n.meta.eventId, deps, log.child({ action: name }));
  const def = CARD_ACTIONS.get(name);
  try {
    if (!def) {
      await ctx.replyText('这个按钮已失效，请重新发送命令。发送 /帮助 查看可用命令。');
      return;
    }
    await def.run(ctx);
  } catch (err) {
    if (isAppError(err) && err.userFacing) {
      await ctx.replyText(err.message);
      return;
    }
    throw err;
  }
};
