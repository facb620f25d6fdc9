// The sandbox's in-memory Lark tenant: users, chats, messages, uploaded resources and the log of what the bot sent.
import { newId, stableHex } from './crypto.js';
import type { SentMessage } from './index.js';

export type UserStatus = 'active' | 'resigned' | 'out_of_scope';

export interface UserRecord {
  openId: string;
  name: string;
  mobile?: string;
  email?: string;
  status: UserStatus;
  userId: string;
  unionId: string;
}

export interface ChatRecord {
  chatId: string;
  type: 'p2p' | 'group';
  name: string;
  /** Human members (open_ids). The bot is tracked by botIsMember. */
  members: string[];
  botIsMember: boolean;
  p2pUser?: string;
  createdAt: number;
}

export interface ResourceRecord {
  key: string;
  type: 'image' | 'file';
  bytes: Buffer;
  fileName?: string;
  contentType: string;
  /** Set for resources a user sent in a message: downloadable only through that message. */
  messageId?: string;
}

export type DeliveryStatus = 'pending' | 'acked' | 'retrying' | 'failed' | 'not_delivered';

export interface StoredMessage {
  messageId: string;
  chatId: string;
  senderType: 'user' | 'app';
  /** open_id for users, app_id for the bot. */
  senderId: string;
  msgType: string;
  /** The raw JSON string, as Lark stores it. */
  content: string;
  parentId?: string;
  rootId?: string;
  threadId?: string;
  createTime: number;
  updateTime: number;
  mentions?: unknown[];
  uuid?: string;
  readBy: Map<string, number>;
  deleted: boolean;
  /** For user messages: how the im.message.receive_v1 event fared (shown on the page). */
  delivery?: DeliveryStatus;
  /** For batch_send messages. */
  batchId?: string;
}

export type WorldChange = { kind: 'chat'; chatId: string } | { kind: 'users' } | { kind: 'toast'; chatId: string; openId: string; toast: unknown };

export class World {
  readonly users = new Map<string, UserRecord>();
  readonly chats = new Map<string, ChatRecord>();
  readonly messages = new Map<string, StoredMessage>();
  /** The bot's messages, which markRead walks (not every user message: benchmarks register tens of thousands). */
  private readonly appMessages: StoredMessage[] = [];
  readonly resources = new Map<string, ResourceRecord>();
  readonly sentLog: Array<Omit<SentMessage, 'readBy'>> = [];
  private readonly p2pByUser = new Map<string, string>();
  private readonly changeListeners = new Set<(c: WorldChange) => void>();
  private readonly sentListeners = new Set<(m: SentMessage) => void>();

  constructor(readonly tenantKey: string) {}

  // ---- users ----
  addUser(u: { openId: string; name: string; mobile?: string; email?: string; status?: UserStatus }): UserRecord {
    const rec: UserRecord = {
      openId: u.openId,
      name: u.name,
      status: u.status ?? 'active',
      userId: stableHex(`user:${u.openId}`, 8),
      unionId: `on_${stableHex(`union:${u.openId}`, 32)}`,
      ...(u.mobile !== undefined ? { mobile: u.mobile } : {}),
      ...(u.email !== undefined ? { email: u.email } : {}),
    };
    this.users.set(rec.openId, rec);
    this.emit({ kind: 'users' });
    return rec;
  }

  /** Users referenced by tests but never declared are created on the fly (named after their open_id). */
  ensureUser(openId: string): UserRecord {
    return this.users.get(openId) ?? this.addUser({ openId, name: openId });
  }

  findUserBy(idType: string, id: string): UserRecord | undefined {
    for (const u of this.users.values()) {
      if (idType === 'open_id' && u.openId === id) return u;
      if (idType === 'user_id' && u.userId === id) return u;
      if (idType === 'union_id' && u.unionId === id) return u;
      if (idType === 'email' && u.email !== undefined && u.email.toLowerCase() === id.toLowerCase()) return u;
    }
    return undefined;
  }

  // ---- chats ----
  createGroup(opts: { chatId?: string; name: string; memberOpenIds: string[]; botIsMember?: boolean }): string {
    const chatId = opts.chatId ?? newId.chat();
    for (const id of opts.memberOpenIds) this.ensureUser(id);
    this.chats.set(chatId, {
      chatId,
      type: 'group',
      name: opts.name,
      members: [...new Set(opts.memberOpenIds)],
      botIsMember: opts.botIsMember ?? true,
      createdAt: Date.now(),
    });
    this.emit({ kind: 'users' });
    return chatId;
  }

  p2pChatId(openId: string): string {
    const existing = this.p2pByUser.get(openId);
    if (existing) return existing;
    const user = this.ensureUser(openId);
    const chatId = newId.chat();
    this.chats.set(chatId, { chatId, type: 'p2p', name: user.name, members: [openId], botIsMember: true, p2pUser: openId, createdAt: Date.now() });
    this.p2pByUser.set(openId, chatId);
    this.emit({ kind: 'users' });
    return chatId;
  }

  // ---- messages ----
  addMessage(m: Omit<StoredMessage, 'readBy' | 'deleted' | 'createTime' | 'updateTime' | 'messageId'> & { messageId?: string }): StoredMessage {
    const now = Date.now();
    const rec: StoredMessage = { ...m, messageId: m.messageId ?? newId.message(), createTime: now, updateTime: now, readBy: new Map(), deleted: false };
    this.messages.set(rec.messageId, rec);
    if (rec.senderType === 'app') this.appMessages.push(rec);
    this.emit({ kind: 'chat', chatId: rec.chatId });
    return rec;
  }

  messagesIn(chatId: string): StoredMessage[] {
    return [...this.messages.values()].filter((m) => m.chatId === chatId).sort((a, b) => a.createTime - b.createTime);
  }

  /** A user reads a chat: every bot message in it counts as read by them (read_users, SentMessage.readBy). */
  markRead(chatId: string, openId: string): void {
    let changed = false;
    const now = Date.now();
    for (const m of this.appMessages) {
      if (m.chatId === chatId && !m.readBy.has(openId)) {
        m.readBy.set(openId, now);
        changed = true;
      }
    }
    if (changed) this.emit({ kind: 'chat', chatId });
  }

  // ---- the bot's outbox ----
  recordSent(entry: Omit<SentMessage, 'readBy' | 'at'>): void {
    const rec = { ...entry, at: Date.now() };
    this.sentLog.push(rec);
    const full = this.withReadBy(rec);
    for (const l of this.sentListeners) l(full);
  }

  withReadBy(e: Omit<SentMessage, 'readBy'>): SentMessage {
    const msg = this.messages.get(e.messageId);
    return { ...e, readBy: msg ? [...msg.readBy.keys()] : [] };
  }

  onSent(fn: (m: SentMessage) => void): () => void {
    this.sentListeners.add(fn);
    return () => this.sentListeners.delete(fn);
  }

  onChange(fn: (c: WorldChange) => void): () => void {
    this.changeListeners.add(fn);
    return () => this.changeListeners.delete(fn);
  }

  emit(c: WorldChange): void {
    for (const l of this.changeListeners) l(c);
  }
}

export function parseContent(content: string): unknown {
  try {
    return JSON.parse(content);
  } catch {
    return content;
  }
}
