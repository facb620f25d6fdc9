import type { EventHandler } from '../events.js';

/**
 * A card button or form. The callback itself was answered at intake with a toast; the work is
 * done here, from the queue. Actions are looked up by `value.action`.
 */
export const onCardAction: EventHandler = async (n, deps, log) => {
  if (n.event.kind !== 'card_action') return;
  const action = String(n.event.value.action ?? '');
  log.info({ action }, 'card action');
  await deps.messenger.text({ openId: n.event.operatorOpenId }, '这个按钮已过期，请重新发送命令。发送 /帮助 查看可用命令。', {
    purpose: 'card-action',
    key: n.meta.eventId,
  });
};
