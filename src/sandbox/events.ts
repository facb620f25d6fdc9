// Schema-2.0 event envelopes exactly as Lark pushes them (see lark-samples/im.message.receive_v1.json, card.action.trigger.json).
import { newId } from './crypto.js';
import type { ChatRecord, StoredMessage, UserRecord } from './world.js';

export interface EnvelopeContext {
  appId: string;
  tenantKey: string;
  verificationToken: string;
}

export interface Envelope {
  schema: '2.0';
  header: { event_id: string; event_type: string; create_time: string; token: string; app_id: string; tenant_key: string };
  event: Record<string, unknown>;
}

const USER_AGENT = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Lark/7.30.0 LarkLocale/zh_CN (dangjian-bot sandbox)';

export function envelope(ctx: EnvelopeContext, eventType: string, event: Record<string, unknown>, createTime = String(Date.now())): Envelope {
  return {
    schema: '2.0',
    header: { event_id: newId.event(), event_type: eventType, create_time: createTime, token: ctx.verificationToken, app_id: ctx.appId, tenant_key: ctx.tenantKey },
    event,
  };
}

function userIds(u: UserRecord): { union_id: string; user_id: string; open_id: string } {
  return { union_id: u.unionId, user_id: u.userId, open_id: u.openId };
}

export function messageReceiveEvent(ctx: EnvelopeContext, sender: UserRecord, m: StoredMessage, chat: ChatRecord): Envelope {
  return envelope(ctx, 'im.message.receive_v1', {
    sender: { sender_id: userIds(sender), sender_type: 'user', tenant_key: ctx.tenantKey },
    message: {
      message_id: m.messageId,
      ...(m.rootId ? { root_id: m.rootId } : {}),
      ...(m.parentId ? { parent_id: m.parentId } : {}),
      create_time: String(m.createTime),
      update_time: String(m.updateTime),
      chat_id: m.chatId,
      ...(m.threadId ? { thread_id: m.threadId } : {}),
      chat_type: chat.type,
      message_type: m.msgType,
      content: m.content,
      ...(m.mentions && m.mentions.length > 0 ? { mentions: m.mentions } : {}),
      user_agent: USER_AGENT,
    },
  });
}

export interface CardAction {
  value: Record<string, unknown>;
  tag: string;
  formValue?: Record<string, unknown>;
  name?: string;
  option?: string;
  checked?: boolean;
}

export function cardActionEvent(ctx: EnvelopeContext, operator: UserRecord, token: string, messageId: string, chatId: string, action: CardAction): Envelope {
  // card.action.trigger's header.create_time is in microseconds (official sample).
  return envelope(
    ctx,
    'card.action.trigger',
    {
      operator: { tenant_key: ctx.tenantKey, ...userIds(operator) },
      token,
      action: {
        value: action.value,
        tag: action.tag,
        timezone: 'Asia/Shanghai',
        ...(action.formValue ? { form_value: action.formValue } : {}),
        ...(action.name ? { name: action.name } : {}),
        ...(action.option !== undefined ? { option: action.option } : {}),
        ...(action.checked !== undefined ? { checked: action.checked } : {}),
      },
      host: 'im_message',
      context: { open_message_id: messageId, open_chat_id: chatId },
    },
    String(Date.now() * 1000),
  );
}
