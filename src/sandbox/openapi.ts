// The /open-apis/... routes: Lark's request/response shapes, error codes and limits (lark-platform.md §2.3, §4).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { newId } from './crypto.js';
import { HttpError, parseJson, parseMultipart, readBody, sendBytes, sendJson } from './http-util.js';
import type { SlidingWindowLimiter } from './rate-limiter.js';
import { parseContent, type ChatRecord, type StoredMessage, type UserRecord, type World } from './world.js';
import type { SentMessage } from './index.js';

export interface OpenApiConfig {
  appId: string;
  appSecret: string;
  tenantKey: string;
  botOpenId: string;
  botName: string;
  appPerSecond: number;
  /** Per app and API within any 60 s (Lark's tier 4: 1000/min as well as 50/s); 0 disables. */
  appPerMinute: number;
  perTargetPerSecond: number;
}

export interface SandboxStats {
  requests: Record<string, number>;
  /** 429/99991400 (per app) + 230020 (per target) answers. */
  rateLimited: number;
  /** Of those, the 429/99991400 answers (per-app limits). */
  appRateLimited: number;
  deliveries: number;
  redeliveries: number;
  acked: number;
  /** Pushes sent and not yet answered (or timed out). */
  pushing: number;
  duplicateUuids: number;
}

export interface InjectedFailure {
  status: number;
  code: number;
  msg?: string;
  headers?: Record<string, string>;
}

/** Callback tokens handed out with card.action.trigger, usable with interactive/v1/card/update. */
export interface CardTokenRecord {
  messageId: string;
  openId: string;
  expiresAt: number;
  uses: number;
  answered: boolean;
}

export interface OpenApiDeps {
  world: World;
  limiter: SlidingWindowLimiter;
  config: OpenApiConfig;
  stats: SandboxStats;
  failures: Map<string, Array<{ remaining: number; resp: InjectedFailure }>>;
  /** Time-window faults per api: until `until` (Date.now() ms) every call fails with `resp` and/or is answered `delayMs` late. */
  windows: Map<string, Array<{ until: number; resp?: InjectedFailure; delayMs?: number }>>;
  cardTokens: Map<string, CardTokenRecord>;
  log: (line: string) => void;
}

interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  params: Record<string, string>;
  query: URLSearchParams;
  api: string;
  body(): Promise<Buffer>;
  json(): Promise<Record<string, unknown>>;
}

type Handler = (ctx: RequestContext) => Promise<unknown> | unknown;

interface Route {
  method: string;
  pattern: RegExp;
  keys: string[];
  api: string;
  auth: boolean;
  handler: Handler;
}

const TOKEN_TTL_SECONDS = 7200;
const TOKEN_REISSUE_BELOW_SECONDS = 30 * 60;
const UUID_TTL_MS = 60 * 60 * 1000;
const CARD_TOKEN_TTL_MS = 30 * 60 * 1000;
const MSG_TYPES = new Set(['text', 'post', 'image', 'file', 'audio', 'media', 'sticker', 'interactive', 'share_chat', 'share_user', 'system']);
const RECEIVE_ID_TYPES = new Set(['open_id', 'user_id', 'union_id', 'email', 'chat_id']);
const USER_ID_TYPES = new Set(['open_id', 'user_id', 'union_id']);
const TEXT_LIMIT = 150 * 1024;
const CARD_LIMIT = 30 * 1024;
const IMAGE_LIMIT = 10 * 1024 * 1024;
const FILE_LIMIT = 30 * 1024 * 1024;

/** A Lark business error: HTTP 400 (unless told otherwise) with {code, msg}. */
function larkError(code: number, msg: string, status = 400, headers: Record<string, string> = {}): HttpError {
  return new HttpError(status, { code, msg }, headers);
}

function fieldError(field: string, description: string): HttpError {
  return new HttpError(400, {
    code: 99992402,
    msg: 'field validation failed',
    error: { field_violations: [{ field, description }] },
  });
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export class OpenApi {
  private readonly routes: Route[] = [];
  private readonly tokens = new Map<string, number>(); // token → expiresAt (ms)
  private currentToken: { token: string; expiresAt: number } | undefined;
  private readonly uuids = new Map<string, { at: number; data: unknown }>();

  constructor(private readonly d: OpenApiDeps) {
    const r = (method: string, path: string, api: string, handler: Handler, auth = true): void => {
      const keys: string[] = [];
      const source = path.replace(/:([a-z_]+)/g, (_, k: string) => {
        keys.push(k);
        return '([^/]+)';
      });
      this.routes.push({ method, pattern: new RegExp(`^${source}/?$`), keys, api, auth, handler });
    };
    r('POST', '/open-apis/auth/v3/tenant_access_token/internal', 'auth.v3.tenantAccessToken.internal', (c) => this.tenantToken(c), false);
    r('POST', '/open-apis/auth/v3/app_access_token/internal', 'auth.v3.appAccessToken.internal', (c) => this.tenantToken(c, 'app_access_token'), false);
    r('POST', '/open-apis/im/v1/messages', 'im.v1.message.create', (c) => this.createMessage(c));
    r('POST', '/open-apis/im/v1/messages/:message_id/reply', 'im.v1.message.reply', (c) => this.reply(c));
    r('PATCH', '/open-apis/im/v1/messages/:message_id/urgent_app', 'im.v1.message.urgentApp', (c) => this.urgentApp(c));
    r('PATCH', '/open-apis/im/v1/messages/:message_id', 'im.v1.message.patch', (c) => this.patch(c));
    r('GET', '/open-apis/im/v1/messages/:message_id/read_users', 'im.v1.message.readUsers', (c) => this.readUsers(c));
    r('GET', '/open-apis/im/v1/messages/:message_id/resources/:file_key', 'im.v1.messageResource.get', (c) => this.resource(c));
    r('GET', '/open-apis/im/v1/messages/:message_id', 'im.v1.message.get', (c) => this.getMessage(c));
    r('DELETE', '/open-apis/im/v1/messages/:message_id', 'im.v1.message.delete', (c) => this.recall(c));
    r('POST', '/open-apis/im/v1/images', 'im.v1.image.create', (c) => this.uploadImage(c));
    r('POST', '/open-apis/im/v1/files', 'im.v1.file.create', (c) => this.uploadFile(c));
    r('POST', '/open-apis/contact/v3/users/batch_get_id', 'contact.v3.user.batchGetId', (c) => this.batchGetId(c));
    r('GET', '/open-apis/contact/v3/users/:user_id', 'contact.v3.user.get', (c) => this.getUser(c));
    r('GET', '/open-apis/im/v1/chats/:chat_id/members/is_in_chat', 'im.v1.chatMembers.isInChat', (c) => this.isInChat(c));
    r('GET', '/open-apis/im/v1/chats/:chat_id/members', 'im.v1.chatMembers.get', (c) => this.chatMembers(c));
    r('GET', '/open-apis/bot/v3/info', 'bot.v3.info', () => this.botInfo());
    r('GET', '/open-apis/tenant/v2/tenant/query', 'tenant.v2.tenant.query', () => this.tenantQuery());
    r('POST', '/open-apis/message/v4/batch_send', 'message.v4.batchSend', (c) => this.batchSend(c));
    r('POST', '/open-apis/interactive/v1/card/update', 'interactive.v1.card.update', (c) => this.cardUpdate(c));
  }

  /** The api names failNext() understands. */
  get apiNames(): string[] {
    return this.routes.map((r) => r.api);
  }

  /** Returns false when the path is not an OpenAPI route (so the caller can 404). */
  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    const method = req.method ?? 'GET';
    let route: Route | undefined;
    let match: RegExpExecArray | null = null;
    for (const r of this.routes) {
      if (r.method !== method) continue;
      match = r.pattern.exec(url.pathname);
      if (match) {
        route = r;
        break;
      }
    }
    if (!route || !match) return false;
    const params: Record<string, string> = {};
    route.keys.forEach((k, i) => (params[k] = decodeURIComponent(match?.[i + 1] ?? '')));
    let cached: Buffer | undefined;
    const ctx: RequestContext = {
      req,
      res,
      params,
      query: url.searchParams,
      api: route.api,
      body: async () => (cached ??= await readBody(req)),
      json: async () => {
        const v = parseJson(await ctx.body());
        if (!v || typeof v !== 'object' || Array.isArray(v)) throw fieldError('body', 'must be a JSON object');
        return v as Record<string, unknown>;
      },
    };
    const stats = this.d.stats;
    stats.requests[route.api] = (stats.requests[route.api] ?? 0) + 1;
    try {
      await this.injectedWindows(route.api, ctx);
      this.injectedFailure(route.api);
      if (route.auth) {
        this.appLimit(route.api);
        this.checkAuth(req);
      }
      const out = await route.handler(ctx);
      if (out !== undefined) sendJson(res, 200, out);
    } catch (e) {
      if (e instanceof HttpError) {
        const code = (e.body as { code?: number } | undefined)?.code;
        this.d.log(`${method} ${url.pathname} → ${e.status} code=${code ?? '?'}`);
        sendJson(res, e.status, e.body, e.headers);
      } else {
        this.d.log(`${method} ${url.pathname} → 500 ${(e as Error).stack ?? String(e)}`);
        sendJson(res, 500, { code: 1, msg: `sandbox internal error: ${(e as Error).message}` });
      }
    }
    return true;
  }

  // ---- cross-cutting checks ----

  /** failFor / delayFor: the latency first (as a slow network or server would add it), then the failure. */
  private async injectedWindows(api: string, ctx: RequestContext): Promise<void> {
    const list = this.d.windows.get(api);
    if (!list?.length) return;
    const now = Date.now();
    const live = list.filter((w) => w.until > now);
    this.d.windows.set(api, live);
    const delayMs = Math.max(0, ...live.map((w) => w.delayMs ?? 0));
    // A slow Lark: the request has arrived in full and is handled late, even if the caller has gone meanwhile.
    if (delayMs) await ctx.body().then(() => new Promise((r) => setTimeout(r, delayMs)));
    const failing = live.find((w) => w.resp);
    if (failing?.resp) {
      const { status, code, msg, headers } = failing.resp;
      throw new HttpError(status, { code, msg: msg ?? 'sandbox injected failure' }, headers ?? {});
    }
  }

  private injectedFailure(api: string): void {
    const queue = this.d.failures.get(api);
    const head = queue?.[0];
    if (!queue || !head) return;
    head.remaining -= 1;
    if (head.remaining <= 0) queue.shift();
    const { status, code, msg, headers } = head.resp;
    throw new HttpError(status, { code, msg: msg ?? 'sandbox injected failure' }, headers ?? {});
  }

  /** Lark's per-app, per-API limits: a sliding 1-s and a sliding 60-s window; either one throttles. */
  private appLimit(api: string): void {
    const { appPerSecond, appPerMinute } = this.d.config;
    const r = this.d.limiter.tryHitAll(`app:${api}`, [
      { limit: appPerSecond, windowMs: 1000 },
      { limit: appPerMinute, windowMs: 60_000 },
    ]);
    if (!r.ok) {
      this.d.stats.rateLimited += 1;
      this.d.stats.appRateLimited += 1;
      throw larkError(99991400, 'request trigger frequency limit', 429, {
        'x-ogw-ratelimit-limit': String(r.limit),
        'x-ogw-ratelimit-reset': String(r.resetSeconds),
      });
    }
  }

  /** Lark's per-user / per-group (and per-message for patch) 5 QPS limit: code 230020. */
  private targetLimit(key: string): void {
    const r = this.d.limiter.tryHit(`target:${key}`, this.d.config.perTargetPerSecond);
    if (!r.ok) {
      this.d.stats.rateLimited += 1;
      throw larkError(230020, 'This operation triggers the frequency limit.');
    }
  }

  private checkAuth(req: IncomingMessage): void {
    const header = req.headers.authorization;
    if (!header) throw larkError(99991661, 'Missing access token for authorization. Please make a request with token attached.');
    const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    const exp = token ? this.tokens.get(token) : undefined;
    if (!exp || exp < Date.now()) {
      throw larkError(99991663, 'Invalid access token for authorization. Please make a request with token attached.');
    }
  }

  // ---- auth ----

  private async tenantToken(c: RequestContext, field = 'tenant_access_token'): Promise<unknown> {
    const body = await c.json();
    const { appId, appSecret } = this.d.config;
    if (str(body.app_id) !== appId) throw larkError(10003, 'invalid param');
    if (str(body.app_secret) !== appSecret) throw larkError(10014, 'app secret invalid');
    const now = Date.now();
    let cur = this.currentToken;
    if (!cur || cur.expiresAt - now < TOKEN_REISSUE_BELOW_SECONDS * 1000) {
      cur = { token: newId.tenantToken(), expiresAt: now + TOKEN_TTL_SECONDS * 1000 };
      this.currentToken = cur;
      this.tokens.set(cur.token, cur.expiresAt);
    }
    const out: Record<string, unknown> = { code: 0, msg: 'ok', [field]: cur.token, expire: Math.floor((cur.expiresAt - now) / 1000) };
    if (field === 'app_access_token') out.tenant_access_token = cur.token;
    return out;
  }

  // ---- sending ----

  private validateContent(msgType: unknown, content: unknown): { msgType: string; content: string } {
    if (typeof msgType !== 'string' || !MSG_TYPES.has(msgType)) throw fieldError('msg_type', `invalid msg_type: ${String(msgType)}`);
    if (typeof content !== 'string') throw fieldError('content', 'content must be a JSON string');
    const limit = msgType === 'text' ? TEXT_LIMIT : CARD_LIMIT;
    if (Buffer.byteLength(content) > limit) throw larkError(230025, 'The length of the message content reaches its limit.');
    let parsed: unknown;
    try {
      parsed = JSON.parse(content);
    } catch {
      throw larkError(230001, 'Your request contains an invalid request parameter, ext=invalid message content: content is not valid JSON.');
    }
    const obj = (parsed && typeof parsed === 'object' ? parsed : {}) as Record<string, unknown>;
    const bad = (what: string): never => {
      throw larkError(230001, `Your request contains an invalid request parameter, ext=invalid message content: ${what}`);
    };
    if (msgType === 'text' && typeof obj.text !== 'string') bad('text content needs a "text" string');
    if (msgType === 'image' && !this.d.world.resources.has(str(obj.image_key) ?? '')) bad('unknown image_key');
    if (msgType === 'file' && !this.d.world.resources.has(str(obj.file_key) ?? '')) bad('unknown file_key');
    if (msgType === 'interactive' && (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))) bad('card must be a JSON object');
    if (msgType === 'post' && (!parsed || typeof parsed !== 'object')) bad('post must be a JSON object');
    return { msgType, content };
  }

  /** Resolves a create() target to the chat the message lands in (and the user, for 1:1 targets). */
  private resolveTarget(idType: string, id: string): { chat: ChatRecord; toOpenId?: string } {
    const { world } = this.d;
    if (idType === 'chat_id') {
      const chat = world.chats.get(id);
      if (!chat) throw larkError(230001, 'Your request contains an invalid request parameter, ext=invalid receive_id.');
      if (chat.type === 'group' && !chat.botIsMember) throw larkError(230002, 'Bot/User can NOT be out of the chat.');
      if (chat.p2pUser) {
        this.checkReachable(world.users.get(chat.p2pUser));
        return { chat, toOpenId: chat.p2pUser };
      }
      return { chat };
    }
    const user = world.findUserBy(idType, id);
    if (!user) {
      if (idType === 'open_id') throw larkError(99992361, 'open_id cross app');
      throw larkError(230001, 'Your request contains an invalid request parameter, ext=invalid receive_id.');
    }
    this.checkReachable(user);
    return { chat: world.chats.get(world.p2pChatId(user.openId)) as ChatRecord, toOpenId: user.openId };
  }

  private checkReachable(user: UserRecord | undefined): void {
    if (!user) return;
    if (user.status === 'resigned') throw larkError(230029, 'The user has resigned.');
    if (user.status === 'out_of_scope') throw larkError(230013, 'Bot has NO availability to this user.');
  }

  private messageData(m: StoredMessage): Record<string, unknown> {
    return {
      message_id: m.messageId,
      ...(m.rootId ? { root_id: m.rootId } : {}),
      ...(m.parentId ? { parent_id: m.parentId } : {}),
      ...(m.threadId ? { thread_id: m.threadId } : {}),
      msg_type: m.msgType,
      create_time: String(m.createTime),
      update_time: String(m.updateTime),
      deleted: m.deleted,
      updated: m.updateTime !== m.createTime,
      chat_id: m.chatId,
      sender:
        m.senderType === 'app'
          ? { id: this.d.config.appId, id_type: 'app_id', sender_type: 'app', tenant_key: this.d.config.tenantKey }
          : { id: m.senderId, id_type: 'open_id', sender_type: 'user', tenant_key: this.d.config.tenantKey },
      body: { content: m.content },
      mentions: m.mentions ?? [],
    };
  }

  /** uuid idempotency: within 1 h, the same uuid sends at most one message and returns the first. */
  private dedupe(api: string, uuid: string | undefined): unknown {
    if (uuid === undefined) return undefined;
    if (uuid.length > 50) throw fieldError('uuid', 'uuid must be at most 50 characters');
    const hit = this.uuids.get(`${api}:${uuid}`);
    if (hit && Date.now() - hit.at < UUID_TTL_MS) {
      this.d.stats.duplicateUuids += 1;
      return hit.data;
    }
    return undefined;
  }

  private remember(api: string, uuid: string | undefined, data: unknown): void {
    if (uuid !== undefined) this.uuids.set(`${api}:${uuid}`, { at: Date.now(), data });
  }

  private storeBotMessage(chat: ChatRecord, msgType: string, content: string, extra: Partial<StoredMessage> = {}): StoredMessage {
    return this.d.world.addMessage({ chatId: chat.chatId, senderType: 'app', senderId: this.d.config.appId, msgType, content, ...extra });
  }

  private record(m: StoredMessage, kind: SentMessage['kind'], toOpenId: string | undefined, contentOverride?: string): void {
    this.d.world.recordSent({
      messageId: m.messageId,
      chatId: m.chatId,
      msgType: m.msgType,
      content: parseContent(contentOverride ?? m.content),
      kind,
      ...(toOpenId ? { toOpenId } : {}),
      ...(m.uuid ? { uuid: m.uuid } : {}),
      ...(m.parentId ? { parentId: m.parentId } : {}),
      ...(m.rootId ? { rootId: m.rootId } : {}),
    });
  }

  private async createMessage(c: RequestContext): Promise<unknown> {
    const idType = c.query.get('receive_id_type');
    if (!idType) throw fieldError('receive_id_type', 'receive_id_type is required');
    if (!RECEIVE_ID_TYPES.has(idType)) throw fieldError('receive_id_type', `invalid receive_id_type: ${idType}`);
    const body = await c.json();
    const receiveId = str(body.receive_id);
    if (!receiveId) throw fieldError('receive_id', 'receive_id is required');
    const { msgType, content } = this.validateContent(body.msg_type, body.content);
    const uuid = str(body.uuid);
    const dup = this.dedupe(c.api, uuid);
    if (dup) return dup;
    const { chat, toOpenId } = this.resolveTarget(idType, receiveId);
    this.targetLimit(chat.chatId);
    const m = this.storeBotMessage(chat, msgType, content, uuid ? { uuid } : {});
    this.record(m, 'create', toOpenId);
    const out = { code: 0, msg: 'success', data: this.messageData(m) };
    this.remember(c.api, uuid, out);
    return out;
  }

  private findMessage(id: string): StoredMessage {
    const m = this.d.world.messages.get(id);
    if (!m) throw larkError(230001, 'Your request contains an invalid request parameter, ext=invalid message_id.');
    if (m.deleted) throw larkError(230011, 'The message was withdrawn.');
    return m;
  }

  private findBotMessage(id: string): StoredMessage {
    const m = this.findMessage(id);
    if (m.senderType !== 'app') throw larkError(230027, 'Lack of necessary permissions: the message was not sent by this bot.');
    return m;
  }

  private async reply(c: RequestContext): Promise<unknown> {
    const body = await c.json();
    const { msgType, content } = this.validateContent(body.msg_type, body.content);
    const uuid = str(body.uuid);
    const dup = this.dedupe(c.api, uuid);
    if (dup) return dup;
    const parent = this.findMessage(c.params.message_id ?? '');
    if (parent.batchId) throw larkError(230001, 'Your request contains an invalid request parameter, ext=batch messages cannot be replied to.');
    const chat = this.d.world.chats.get(parent.chatId) as ChatRecord;
    if (!chat.botIsMember) throw larkError(230002, 'Bot/User can NOT be out of the chat.');
    if (chat.p2pUser) this.checkReachable(this.d.world.users.get(chat.p2pUser));
    this.targetLimit(chat.chatId);
    const inThread = body.reply_in_thread === true;
    const m = this.storeBotMessage(chat, msgType, content, {
      parentId: parent.messageId,
      rootId: parent.rootId ?? parent.messageId,
      ...(inThread || parent.threadId ? { threadId: parent.threadId ?? newId.thread() } : {}),
      ...(uuid ? { uuid } : {}),
    });
    if (inThread && !parent.threadId) parent.threadId = m.threadId;
    this.record(m, 'reply', chat.p2pUser);
    const out = { code: 0, msg: 'success', data: this.messageData(m) };
    this.remember(c.api, uuid, out);
    return out;
  }

  private async patch(c: RequestContext): Promise<unknown> {
    const body = await c.json();
    const m = this.findBotMessage(c.params.message_id ?? '');
    if (m.msgType !== 'interactive') throw larkError(230001, 'Your request contains an invalid request parameter, ext=only interactive (card) messages can be patched.');
    const content = str(body.content);
    if (!content) throw fieldError('content', 'content is required');
    if (Buffer.byteLength(content) > CARD_LIMIT) throw larkError(230025, 'The length of the message content reaches its limit.');
    const card = parseContent(content);
    if (!card || typeof card !== 'object') throw larkError(230099, 'Failed to create card content, ext=card is not valid JSON.');
    this.targetLimit(`message:${m.messageId}`);
    this.applyCardUpdate(m, content, 'patch');
    return { code: 0, msg: 'success', data: {} };
  }

  /** Replace a card's content (patch, card/update, or a callback answer) and log it as a 'patch'. */
  applyCardUpdate(m: StoredMessage, content: string, kind: SentMessage['kind'] = 'patch'): void {
    m.content = content;
    m.updateTime = Date.now();
    const chat = this.d.world.chats.get(m.chatId);
    this.record(m, kind, chat?.p2pUser);
    this.d.world.emit({ kind: 'chat', chatId: m.chatId });
  }

  private async urgentApp(c: RequestContext): Promise<unknown> {
    const idType = c.query.get('user_id_type');
    if (!idType || !USER_ID_TYPES.has(idType)) throw fieldError('user_id_type', 'user_id_type is required (open_id|user_id|union_id)');
    const body = await c.json();
    const list = Array.isArray(body.user_id_list) ? body.user_id_list.filter((x): x is string => typeof x === 'string') : [];
    if (list.length === 0) throw fieldError('user_id_list', 'user_id_list is required');
    const m = this.findBotMessage(c.params.message_id ?? '');
    if (m.batchId) throw larkError(230001, 'Your request contains an invalid request parameter, ext=batch messages cannot be buzzed.');
    const chat = this.d.world.chats.get(m.chatId) as ChatRecord;
    const invalid: string[] = [];
    for (const id of list) {
      const u = this.d.world.findUserBy(idType, id);
      if (!u || u.status !== 'active' || !chat.members.includes(u.openId)) {
        invalid.push(id);
        continue;
      }
      this.record(m, 'urgent', u.openId);
    }
    return { code: 0, msg: 'success', data: { invalid_user_id_list: invalid } };
  }

  private readUsers(c: RequestContext): unknown {
    const idType = c.query.get('user_id_type');
    if (!idType || !USER_ID_TYPES.has(idType)) throw fieldError('user_id_type', 'user_id_type is required (open_id|user_id|union_id)');
    const m = this.findBotMessage(c.params.message_id ?? '');
    const pageSize = Math.min(100, Math.max(1, Number(c.query.get('page_size') ?? 20) || 20));
    const offset = Number(c.query.get('page_token') ?? 0) || 0;
    const all = [...m.readBy.entries()].map(([openId, at]) => {
      const u = this.d.world.users.get(openId);
      const id = idType === 'user_id' ? u?.userId : idType === 'union_id' ? u?.unionId : openId;
      return { user_id_type: idType, user_id: id ?? openId, timestamp: String(at), tenant_key: this.d.config.tenantKey };
    });
    const items = all.slice(offset, offset + pageSize);
    const more = offset + pageSize < all.length;
    return { code: 0, msg: 'success', data: { items, has_more: more, ...(more ? { page_token: String(offset + pageSize) } : {}) } };
  }

  private getMessage(c: RequestContext): unknown {
    const m = this.findMessage(c.params.message_id ?? '');
    return { code: 0, msg: 'success', data: { items: [this.messageData(m)] } };
  }

  private recall(c: RequestContext): unknown {
    const m = this.findBotMessage(c.params.message_id ?? '');
    m.deleted = true;
    this.d.world.emit({ kind: 'chat', chatId: m.chatId });
    return { code: 0, msg: 'success', data: {} };
  }

  private resource(c: RequestContext): void {
    const type = c.query.get('type');
    if (type !== 'image' && type !== 'file') throw fieldError('type', 'type is required (image|file)');
    const m = this.findMessage(c.params.message_id ?? '');
    const key = c.params.file_key ?? '';
    const res = this.d.world.resources.get(key);
    const content = parseContent(m.content) as Record<string, unknown> | string;
    const referenced = res !== undefined && (res.messageId === m.messageId || JSON.stringify(content).includes(key));
    if (!res || !referenced) throw larkError(234003, 'File not in msg.');
    const name = res.fileName ?? key;
    sendBytes(c.res, 200, res.bytes, {
      'Content-Type': res.contentType,
      'Content-Disposition': `attachment; filename="${encodeURIComponent(name)}"`,
    });
  }

  private async uploadImage(c: RequestContext): Promise<unknown> {
    const parts = parseMultipart(await c.body(), c.req.headers['content-type']);
    const imageType = parts.find((p) => p.name === 'image_type')?.data.toString('utf8');
    const image = parts.find((p) => p.name === 'image');
    if (!imageType || !['message', 'avatar'].includes(imageType)) throw fieldError('image_type', 'image_type must be message or avatar');
    if (!image) throw fieldError('image', 'image is required');
    if (image.data.length === 0) throw larkError(234010, "File's size can't be 0.");
    if (image.data.length > IMAGE_LIMIT) throw larkError(234006, 'The file size exceeds the limit.');
    const key = newId.image();
    this.d.world.resources.set(key, { key, type: 'image', bytes: image.data, contentType: image.contentType ?? sniffImage(image.data), ...(image.fileName ? { fileName: image.fileName } : {}) });
    return { code: 0, msg: 'success', data: { image_key: key } };
  }

  private async uploadFile(c: RequestContext): Promise<unknown> {
    const parts = parseMultipart(await c.body(), c.req.headers['content-type']);
    const get = (n: string): string | undefined => parts.find((p) => p.name === n)?.data.toString('utf8');
    const fileType = get('file_type');
    const fileName = get('file_name');
    const file = parts.find((p) => p.name === 'file');
    if (!fileType || !['opus', 'mp4', 'pdf', 'doc', 'xls', 'ppt', 'stream'].includes(fileType)) throw fieldError('file_type', 'invalid file_type');
    if (!fileName) throw fieldError('file_name', 'file_name is required');
    if (!file) throw fieldError('file', 'file is required');
    if (file.data.length === 0) throw larkError(234010, "File's size can't be 0.");
    if (file.data.length > FILE_LIMIT) throw larkError(234006, 'The file size exceeds the limit.');
    const key = newId.file();
    this.d.world.resources.set(key, { key, type: 'file', bytes: file.data, fileName, contentType: file.contentType ?? 'application/octet-stream' });
    return { code: 0, msg: 'success', data: { file_key: key } };
  }

  // ---- users, chats, bot ----

  private userJson(u: UserRecord): Record<string, unknown> {
    return {
      open_id: u.openId,
      union_id: u.unionId,
      user_id: u.userId,
      name: u.name,
      en_name: '',
      nickname: '',
      ...(u.email !== undefined ? { email: u.email, enterprise_email: u.email } : {}),
      ...(u.mobile !== undefined ? { mobile: u.mobile, mobile_visible: true } : {}),
      avatar: { avatar_72: '', avatar_240: '', avatar_640: '', avatar_origin: '' },
      status: statusJson(u),
      department_ids: [],
      tenant_key: this.d.config.tenantKey,
    };
  }

  private getUser(c: RequestContext): unknown {
    const idType = c.query.get('user_id_type') ?? 'open_id';
    if (!USER_ID_TYPES.has(idType)) throw fieldError('user_id_type', `invalid user_id_type: ${idType}`);
    const u = this.d.world.findUserBy(idType, c.params.user_id ?? '');
    if (!u) throw larkError(41012, 'invalid user id');
    if (u.status === 'out_of_scope') throw larkError(41050, 'no user authority error');
    return { code: 0, msg: 'success', data: { user: this.userJson(u) } };
  }

  private async batchGetId(c: RequestContext): Promise<unknown> {
    const idType = c.query.get('user_id_type') ?? 'open_id';
    if (!USER_ID_TYPES.has(idType)) throw fieldError('user_id_type', `invalid user_id_type: ${idType}`);
    const body = await c.json();
    const emails = Array.isArray(body.emails) ? body.emails.filter((x): x is string => typeof x === 'string') : [];
    const mobiles = Array.isArray(body.mobiles) ? body.mobiles.filter((x): x is string => typeof x === 'string') : [];
    if (emails.length > 50) throw fieldError('emails', 'at most 50 emails');
    if (mobiles.length > 50) throw fieldError('mobiles', 'at most 50 mobiles');
    const includeResigned = body.include_resigned === true;
    const idOf = (u: UserRecord): string => (idType === 'user_id' ? u.userId : idType === 'union_id' ? u.unionId : u.openId);
    const visible = (u: UserRecord | undefined): u is UserRecord => !!u && u.status !== 'out_of_scope' && (u.status === 'active' || includeResigned);
    const users = [...this.d.world.users.values()];
    const list: unknown[] = [];
    for (const email of emails) {
      const u = users.find((x) => x.email !== undefined && x.email.toLowerCase() === email.toLowerCase());
      list.push(visible(u) ? { user_id: idOf(u), email, status: statusJson(u) } : { email });
    }
    for (const mobile of mobiles) {
      const u = users.find((x) => x.mobile !== undefined && normalizeMobile(x.mobile) === normalizeMobile(mobile));
      list.push(visible(u) ? { user_id: idOf(u), mobile, status: statusJson(u) } : { mobile });
    }
    return { code: 0, msg: 'success', data: { user_list: list } };
  }

  private chatFor(c: RequestContext): ChatRecord {
    const chat = this.d.world.chats.get(c.params.chat_id ?? '');
    if (!chat) throw larkError(232010, 'Chat_id is invalid.');
    return chat;
  }

  private chatMembers(c: RequestContext): unknown {
    const idType = c.query.get('member_id_type') ?? 'open_id';
    if (!USER_ID_TYPES.has(idType)) throw fieldError('member_id_type', `invalid member_id_type: ${idType}`);
    const chat = this.chatFor(c);
    if (!chat.botIsMember) throw larkError(232011, 'Operator can NOT be out of the chat.');
    const pageSize = Math.min(100, Math.max(1, Number(c.query.get('page_size') ?? 20) || 20));
    const offset = Number(c.query.get('page_token') ?? 0) || 0;
    const all = chat.members.map((openId) => {
      const u = this.d.world.ensureUser(openId);
      const id = idType === 'user_id' ? u.userId : idType === 'union_id' ? u.unionId : u.openId;
      return { member_id_type: idType, member_id: id, name: u.name, tenant_key: this.d.config.tenantKey };
    });
    const items = all.slice(offset, offset + pageSize);
    const more = offset + pageSize < all.length;
    return { code: 0, msg: 'success', data: { items, page_token: more ? String(offset + pageSize) : '', has_more: more, member_total: all.length } };
  }

  private isInChat(c: RequestContext): unknown {
    const chat = this.chatFor(c);
    return { code: 0, msg: 'success', data: { is_in_chat: chat.botIsMember } };
  }

  private tenantQuery(): unknown {
    return { code: 0, msg: 'success', data: { tenant: { name: '沙箱企业', display_id: 'F000000001', tenant_tag: 0, tenant_key: this.d.config.tenantKey, avatar: {} } } };
  }

  private botInfo(): unknown {
    return {
      code: 0,
      msg: 'ok',
      bot: { activate_status: 2, app_name: this.d.config.botName, avatar_url: '', ip_white_list: [], open_id: this.d.config.botOpenId },
    };
  }

  private async batchSend(c: RequestContext): Promise<unknown> {
    const body = await c.json();
    const msgType = str(body.msg_type);
    if (!msgType || !['text', 'image', 'post', 'share_chat', 'interactive'].includes(msgType)) throw fieldError('msg_type', 'invalid msg_type');
    const payload = msgType === 'interactive' ? body.card : body.content;
    if (!payload || typeof payload !== 'object') throw fieldError(msgType === 'interactive' ? 'card' : 'content', 'must be a JSON object (not a string)');
    const ids = (k: string): string[] => (Array.isArray(body[k]) ? (body[k] as unknown[]).filter((x): x is string => typeof x === 'string') : []);
    const openIds = ids('open_ids');
    const userIds = ids('user_ids');
    const unionIds = ids('union_ids');
    const departmentIds = ids('department_ids');
    if (openIds.length + userIds.length + unionIds.length + departmentIds.length === 0) throw fieldError('open_ids', 'no receivers');
    if (departmentIds.length > 200 || openIds.length > 200 || userIds.length > 200 || unionIds.length > 200) throw fieldError('open_ids', 'at most 200 receivers per list');
    const content = JSON.stringify(payload);
    const batchId = newId.batch();
    const targets: UserRecord[] = [];
    const resolve = (idType: string, list: string[]): string[] => {
      const invalid: string[] = [];
      for (const id of list) {
        const u = this.d.world.findUserBy(idType, id);
        if (!u || u.status !== 'active') invalid.push(id);
        else if (!targets.includes(u)) targets.push(u);
      }
      return invalid;
    };
    const invalidOpen = resolve('open_id', openIds);
    const invalidUser = resolve('user_id', userIds);
    const invalidUnion = resolve('union_id', unionIds);
    for (const u of targets) {
      const chat = this.d.world.chats.get(this.d.world.p2pChatId(u.openId)) as ChatRecord;
      const m = this.storeBotMessage(chat, msgType, content, { batchId });
      this.record(m, 'create', u.openId);
    }
    return {
      code: 0,
      msg: 'success',
      data: { message_id: batchId, invalid_department_ids: departmentIds, invalid_open_ids: invalidOpen, invalid_user_ids: invalidUser, invalid_union_ids: invalidUnion },
    };
  }

  private async cardUpdate(c: RequestContext): Promise<unknown> {
    const body = await c.json();
    const token = str(body.token);
    const card = body.card;
    if (!token) throw fieldError('token', 'token is required');
    if (!card || typeof card !== 'object') throw fieldError('card', 'card is required');
    const rec = this.d.cardTokens.get(token);
    if (!rec || rec.expiresAt < Date.now() || rec.uses >= 2) throw larkError(200740, 'card update token is invalid, expired (30 min) or used up (2 uses)');
    if (!rec.answered) throw larkError(200741, 'card update token can only be used after the callback was answered');
    rec.uses += 1;
    const m = this.findBotMessage(rec.messageId);
    const { open_ids: _ignored, ...rest } = card as Record<string, unknown>;
    this.applyCardUpdate(m, JSON.stringify(rest), 'patch');
    return { code: 0, msg: 'success' };
  }

  /** Issue the token that goes with a card.action.trigger callback. */
  issueCardToken(messageId: string, openId: string): string {
    const token = newId.cardToken();
    this.d.cardTokens.set(token, { messageId, openId, expiresAt: Date.now() + CARD_TOKEN_TTL_MS, uses: 0, answered: false });
    return token;
  }
}

function statusJson(u: UserRecord): Record<string, boolean> {
  return {
    is_frozen: false,
    is_resigned: u.status === 'resigned',
    is_activated: u.status !== 'resigned',
    is_exited: u.status === 'resigned',
    is_unjoin: false,
  };
}

function normalizeMobile(m: string): string {
  const digits = m.replace(/\D/g, '');
  return digits.length === 13 && digits.startsWith('86') ? digits.slice(2) : digits;
}

function sniffImage(b: Buffer): string {
  if (b[0] === 0x89 && b[1] === 0x50) return 'image/png';
  if (b[0] === 0xff && b[1] === 0xd8) return 'image/jpeg';
  if (b[0] === 0x47 && b[1] === 0x49) return 'image/gif';
  if (b.subarray(8, 12).toString() === 'WEBP') return 'image/webp';
  return 'application/octet-stream';
}
