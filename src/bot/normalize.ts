/**
 * Raw Lark event envelopes (schema 2.0, as delivered by webhook or long connection) are turned
 * into the bot's own small types here, at the edge. Nothing else looks at Lark's envelope. Pure.
 */

export interface EnvelopeMeta {
  eventId: string;
  eventType: string;
  appId: string;
  tenantKey: string;
  token: string;
  /** Milliseconds since the epoch (card callbacks carry microseconds; converted here). */
  createTimeMs: number;
}

export interface Mention {
  key: string;
  openId: string;
  name: string;
}

export interface IncomingMessage {
  kind: 'message';
  messageId: string;
  chatId: string;
  chatType: 'p2p' | 'group';
  senderOpenId: string;
  /** 'user' for people; 'app' for bots (including this one). */
  senderType: string;
  senderTenantKey: string;
  msgType: string;
  /** Text with mention placeholders replaced by '@Name'; for post messages, all text runs joined. */
  text: string;
  /** Text with every mention removed: what commands are parsed from. */
  commandText: string;
  mentions: Mention[];
  parentId?: string;
  rootId?: string;
  imageKeys: string[];
  files: { key: string; name: string }[];
  createTimeMs: number;
}

export interface CardAction {
  kind: 'card_action';
  operatorOpenId: string;
  operatorTenantKey: string;
  messageId: string;
  chatId: string;
  value: Record<string, unknown>;
  formValue?: Record<string, unknown>;
  /** The component name (for form submits, the submit button's name). */
  name?: string;
  /** Credential for delayed card updates (30 min, two uses). */
  token: string;
}

export interface OtherEvent {
  kind: 'other';
  eventType: string;
  /** The operator or user the event is about, when it has one. */
  openId?: string;
  chatId?: string;
}

/** im.message.message_read_v1: a user read messages the bot sent them in the direct chat. */
export interface MessageRead {
  kind: 'message_read';
  readerOpenId: string;
  /** Milliseconds since the epoch. */
  readTimeMs: number;
  messageIds: string[];
}

/** application.bot.menu_v6: a click on the bot menu in the 1:1 chat. */
export interface MenuClick {
  kind: 'menu';
  operatorOpenId: string;
  eventKey: string;
}

export type InboundEvent = IncomingMessage | CardAction | MessageRead | MenuClick | OtherEvent;

export interface Normalized {
  meta: EnvelopeMeta;
  event: InboundEvent;
  /** The key a redelivery of this event repeats: message_id for messages, event_id otherwise. */
  dedupeKey: string;
}

export class MalformedEvent extends Error {
  override name = 'MalformedEvent';
}

type Json = Record<string, any>;

export function normalizeEnvelope(raw: unknown): Normalized {
  const env = raw as Json;
  if (!env || typeof env !== 'object') throw new MalformedEvent('event is not an object');
  if (env.schema !== '2.0' || typeof env.header !== 'object' || env.header === null) {
    throw new MalformedEvent('only schema 2.0 events are supported');
  }
  const h = env.header as Json;
  const eventType = str(h.event_type, 'header.event_type');
  const eventId = str(h.event_id, 'header.event_id');
  const rawTime = Number(h.create_time ?? 0);
  const meta: EnvelopeMeta = {
    eventId,
    eventType,
    appId: String(h.app_id ?? ''),
    tenantKey: String(h.tenant_key ?? ''),
    token: String(h.token ?? ''),
    createTimeMs: rawTime > 1e14 ? Math.floor(rawTime / 1000) : rawTime,
  };
  const e = (env.event ?? {}) as Json;

  if (eventType === 'im.message.receive_v1') {
    const msg = normalizeMessage(e);
    return { meta, event: msg, dedupeKey: `msg:${msg.messageId}` };
  }
  if (eventType === 'card.action.trigger') {
    const action = (e.action ?? {}) as Json;
    const ctx = (e.context ?? {}) as Json;
    const card: CardAction = {
      kind: 'card_action',
      operatorOpenId: str(e.operator?.open_id, 'event.operator.open_id'),
      operatorTenantKey: String(e.operator?.tenant_key ?? meta.tenantKey),
      messageId: String(ctx.open_message_id ?? ''),
      chatId: String(ctx.open_chat_id ?? ''),
      value: isObject(action.value) ? action.value : {},
      ...(isObject(action.form_value) ? { formValue: action.form_value } : {}),
      ...(typeof action.name === 'string' ? { name: action.name } : {}),
      token: String(e.token ?? ''),
    };
    return { meta, event: card, dedupeKey: `evt:${eventId}` };
  }
  if (eventType === 'im.message.message_read_v1') {
    const reader = (e.reader ?? {}) as Json;
    const read: MessageRead = {
      kind: 'message_read',
      readerOpenId: str(reader.reader_id?.open_id, 'event.reader.reader_id.open_id'),
      readTimeMs: Number(reader.read_time) || meta.createTimeMs,
      messageIds: Array.isArray(e.message_id_list) ? e.message_id_list.filter((id: unknown): id is string => typeof id === 'string' && id !== '') : [],
    };
    return { meta, event: read, dedupeKey: `evt:${eventId}` };
  }
  if (eventType === 'application.bot.menu_v6') {
    const menu: MenuClick = { kind: 'menu', operatorOpenId: str(e.operator?.operator_id?.open_id, 'event.operator.operator_id.open_id'), eventKey: String(e.event_key ?? '') };
    return { meta, event: menu, dedupeKey: `evt:${eventId}` };
  }
  const openId = e.operator_id?.open_id ?? e.operator?.open_id ?? e.user?.open_id ?? e.users?.[0]?.user_id?.open_id;
  const other: OtherEvent = {
    kind: 'other',
    eventType,
    ...(typeof openId === 'string' ? { openId } : {}),
    ...(typeof e.chat_id === 'string' ? { chatId: e.chat_id } : {}),
  };
  return { meta, event: other, dedupeKey: `evt:${eventId}` };
}

function normalizeMessage(e: Json): IncomingMessage {
  const m = (e.message ?? {}) as Json;
  const sender = (e.sender ?? {}) as Json;
  const mentions: Mention[] = Array.isArray(m.mentions)
    ? m.mentions.map((x: Json) => ({ key: String(x.key ?? ''), openId: String(x.id?.open_id ?? ''), name: String(x.name ?? '') }))
    : [];
  const msgType = String(m.message_type ?? '');
  let content: Json = {};
  try {
    content = typeof m.content === 'string' ? JSON.parse(m.content) : {};
  } catch {
    content = {};
  }
  const { text: rawText, imageKeys, files } = extractContent(msgType, content);
  let text = rawText;
  let commandText = rawText;
  for (const mention of mentions) {
    if (!mention.key) continue;
    text = text.split(mention.key).join(`@${mention.name}`);
    commandText = commandText.split(mention.key).join(' ');
  }
  return {
    kind: 'message',
    messageId: str(m.message_id, 'event.message.message_id'),
    chatId: str(m.chat_id, 'event.message.chat_id'),
    chatType: m.chat_type === 'group' ? 'group' : 'p2p',
    senderOpenId: String(sender.sender_id?.open_id ?? ''),
    senderType: String(sender.sender_type ?? 'user'),
    senderTenantKey: String(sender.tenant_key ?? ''),
    msgType,
    text: text.trim(),
    commandText: commandText.replace(/\s+/g, ' ').trim(),
    mentions,
    ...(m.parent_id ? { parentId: String(m.parent_id) } : {}),
    ...(m.root_id ? { rootId: String(m.root_id) } : {}),
    imageKeys,
    files,
    createTimeMs: Number(m.create_time ?? 0),
  };
}

/** Text, image keys and file keys from a message's content, by message type. */
function extractContent(msgType: string, c: Json): { text: string; imageKeys: string[]; files: { key: string; name: string }[] } {
  switch (msgType) {
    case 'text':
      return { text: String(c.text ?? ''), imageKeys: [], files: [] };
    case 'image':
      return { text: '', imageKeys: c.image_key ? [String(c.image_key)] : [], files: [] };
    case 'file':
      return { text: '', imageKeys: [], files: c.file_key ? [{ key: String(c.file_key), name: String(c.file_name ?? '') }] : [] };
    case 'post': {
      // Received posts are { title, content: [[runs]] } (sometimes nested under a locale key).
      const body: Json = Array.isArray(c.content) ? c : (Object.values(c).find((v) => isObject(v) && Array.isArray((v as Json).content)) as Json) ?? {};
      const lines: string[] = [];
      const imageKeys: string[] = [];
      if (body.title) lines.push(String(body.title));
      for (const para of (body.content ?? []) as Json[][]) {
        let line = '';
        for (const run of para ?? []) {
          if (run.tag === 'text' || run.tag === 'a' || run.tag === 'md') line += String(run.text ?? '');
          else if (run.tag === 'at') line += String(run.user_id ? `@_${run.user_name ?? run.user_id}` : '');
          else if (run.tag === 'img' && run.image_key) imageKeys.push(String(run.image_key));
        }
        lines.push(line);
      }
      return { text: lines.join('\n'), imageKeys, files: [] };
    }
    default:
      return { text: '', imageKeys: [], files: [] };
  }
}

function str(v: unknown, field: string): string {
  if (typeof v !== 'string' || v === '') throw new MalformedEvent(`missing ${field}`);
  return v;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
