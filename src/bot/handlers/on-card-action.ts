import { audit } from '../../access/audit.js';
import { isAppError } from '../../errors.js';
import { CARD_ACTIONS } from '../actions/index.js';
import { createActionContext } from '../actions/action.js';
import { claimCard, recordOutcome, releaseCard, usedCardText } from '../actions/card-state.js';
import type { EventHandler } from '../events.js';

/**
 * A card button or form. The callback itself was answered at intake with a toast; the work is
 * done here, from the queue, by the action named in the button's `value.action`. A single-use
 * action claims its card first (a second click is told what was chosen); every click ends in a
 * visible answer: a reply, a card, or the card replaced. Every refusal (a report edit by someone
 * else, a 退回 without a reason, an outdated card, …) is audited here as deny and every crash as
 * error; actions record their own successes.
 */
export const onCardAction: EventHandler = async (n, deps, log) => {
  if (n.event.kind !== 'card_action') return;
  const { value, messageId } = n.event;
  const name = String(value.action ?? '');
  const ctx = createActionContext(n.event, n.meta.eventId, deps, log.child({ action: name }));
  const def = CARD_ACTIONS.get(name);
  if (!def) {
    await ctx.replyText('这个按钮已失效，请重新发送命令。发送 /帮助 查看可用命令。');
    return;
  }
  const once = messageId !== '' && (typeof def.once === 'function' ? def.once(value) : def.once === true);
  if (once) {
    const claim = await claimCard(deps.db, messageId, n.meta.eventId, name);
    if (!claim.ours) {
      await ctx.replyText(usedCardText(claim.outcome));
      return;
    }
  }
  try {
    await def.run(ctx);
    if (once) await recordOutcome(deps.db, messageId, '已处理', true);
  } catch (err) {
    const refused = isAppError(err) && err.userFacing;
    await audit(deps.db, {
      actorId: n.event.operatorOpenId,
      action: name,
      result: refused ? 'deny' : 'error',
      detail: { eventId: n.meta.eventId, code: isAppError(err) ? err.code : 'crash', value: n.event.value },
    }).catch((e) => log.error({ err: e }, 'could not write the audit row'));
    if (refused) {
      if (once) await releaseCard(deps.db, messageId, n.meta.eventId);
      await ctx.replyText(err.message);
      return;
    }
    throw err;
  }
};
