// A local stand-in for the Lark Open Platform. The real @larksuiteoapi/node-sdk talks to it when given
// `domain: sandbox.baseUrl`: OpenAPI under /open-apis, the long-connection gateway under /callback/ws/endpoint + /ws,
// webhook pushes to the bot's URL, and a web chat page at pageUrl for trying the bot without a Lark tenant.
//
// Files: openapi.ts (routes), rate-limiter.ts, crypto.ts, events.ts (envelopes), delivery.ts (re-push schedule),
// webhook.ts / ws-gateway.ts + ws-protocol.ts (transports), world.ts (users/chats/messages), page.ts + page/ (web chat).
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { newId } from './crypto.js';
import { Delivery, type EventStatus, type Transport } from './delivery.js';
import { cardActionEvent, envelope, messageReceiveEvent, type EnvelopeContext } from './events.js';
import { HttpError, sendJson } from './http-util.js';
import { OpenApi, type CardTokenRecord, type InjectedFailure, type SandboxStats } from './openapi.js';
import { Page } from './page.js';
import { SlidingWindowLimiter } from './rate-limiter.js';
import { WebhookTransport } from './webhook.js';
import { World, type ResourceRecord } from './world.js';
import { WsGateway } from './ws-gateway.js';

export interface SandboxOptions {
  port?: number; // 0 = random
  appId?: string; // default 'cli_a1b2c3d4e5f60718' (SDK WSClient requires /^cli_[0-9a-fA-F]{16}$/)
  appSecret?: string; // default 'sandbox-secret'
  encryptKey?: string; // for webhook delivery; default a random key of this run
  verificationToken?: string; // default 'sandbox-verification-token'
  tenantKey?: string; // default 'sandbox-tenant'
  botOpenId?: string; // default 'ou_sandbox_bot'
  delivery?: { mode: 'webhook'; url: string } | { mode: 'ws' } | { mode: 'none' }; // how events reach the bot (default ws)
  // Per app and API: appPerSecond (default 50) and appPerMinute (default 1000; when only appPerSecond is given, 20 × it,
  // Lark's 1000/min : 50/s, so a sandbox scaled for a short run is scaled in both); per target: 5/s. 0 disables.
  rateLimit?: { appPerSecond?: number; appPerMinute?: number; perTargetPerSecond?: number };
  redeliverAfterMs?: number[]; // re-push schedule when not acked within ackTimeoutMs; default [15000, 300000, 3600000, 21600000]
  ackTimeoutMs?: number; // default 3000
  users?: Array<{ openId: string; name: string; mobile?: string; email?: string; status?: 'active' | 'resigned' | 'out_of_scope' }>;
  log?: (line: string) => void;
}

export interface Sandbox {
  readonly baseUrl: string; // http://127.0.0.1:PORT — give this to the SDK as `domain`
  readonly pageUrl: string; // the web chat page
  readonly appId: string;
  readonly appSecret: string;
  readonly encryptKey: string;
  readonly verificationToken: string;
  readonly botOpenId: string;
  setDelivery(d: SandboxOptions['delivery']): void;
  addUser(u: { openId: string; name: string; mobile?: string; email?: string; status?: 'active' | 'resigned' | 'out_of_scope' }): void;
  createGroup(opts: { chatId?: string; name: string; memberOpenIds: string[]; botIsMember?: boolean }): string; // returns chat_id 'oc_…'
  p2pChatId(openId: string): string; // the direct chat between that user and the bot (created on demand, 'oc_…')
  /**
   * A user sends a message. Returns the message_id. Delivered to the bot as im.message.receive_v1 (schema 2.0).
   * In groups the bot only receives messages that @-mention it (Lark's default scopes): `@bot` becomes '@_user_1'
   * in the text with message.mentions[]. A text containing '@机器人' (or '@<bot name>') gets the placeholder there.
   */
  userSends(opts: {
    from: string;
    chatId?: string /* default p2p */;
    text?: string;
    mentionBot?: boolean;
    parentId?: string;
    rootId?: string;
    image?: { bytes: Buffer; fileName?: string };
    file?: { bytes: Buffer; fileName: string };
    post?: unknown;
  }): Promise<string>;
  /**
   * A user clicks a card button or submits a card form on a message the bot sent: delivered as card.action.trigger
   * (schema 2.0). Returns the bot's callback response body (toast/card) as the user would see it. When the callback
   * fails the result is `{ error: { code, msg } }` with Lark's client-side code (200340 no receiver, 200341 timeout,
   * 200671 non-200, 200672 bad body, 200830 card 2.0 answered with 1.0).
   */
  userClicks(opts: {
    from: string;
    messageId: string;
    value: Record<string, unknown>;
    formValue?: Record<string, unknown>;
    name?: string;
    /** Extensions: the component's tag (default 'button'), a select's chosen option, a checker's state. */
    tag?: string;
    option?: string;
    checked?: boolean;
  }): Promise<unknown>;
  /** A user clicks an entry of the bot menu in the 1:1 chat: delivered as application.bot.menu_v6 with its event_key. */
  userClicksMenu(opts: { from: string; eventKey: string }): Promise<void>;
  /** Everything the bot sent/replied/patched, in order, with the parsed content. */
  sent(filter?: { chatId?: string; toOpenId?: string }): SentMessage[];
  /** Resolves with the first sent message (already sent or future) matching pred; rejects after timeoutMs (default 5000). */
  waitFor(pred: (m: SentMessage) => boolean, timeoutMs?: number): Promise<SentMessage>;
  /** Failure injection: the next n calls to `api` (e.g. 'im.v1.message.create') answer with this status/code/headers. */
  failNext(api: string, n: number, resp: { status: number; code: number; msg?: string; headers?: Record<string, string> }): void;
  /** Failure injection by time: every call to `api` in the next `ms` answers with this status/code/headers (a 429 burst, an outage). */
  failFor(api: string, ms: number, resp: { status: number; code: number; msg?: string; headers?: Record<string, string> }): void;
  /** Latency injection: every call to `api` that arrives in the next `ms` is read in full, then handled `delayMs` late, even if the caller has gone meanwhile. */
  delayFor(api: string, ms: number, delayMs: number): void;
  /**
   * requests: calls per api name (as failNext names them); rateLimited: 429/99991400 + 230020 answers (appRateLimited: the 429s);
   * deliveries: first pushes of events and card callbacks; redeliveries: re-pushes; acked: pushes answered in time;
   * pushing: pushes sent and not yet answered (or timed out) right now;
   * duplicateUuids: create/reply calls whose uuid had already sent a message (no second message was sent).
   */
  stats(): { requests: Record<string, number>; rateLimited: number; appRateLimited: number; deliveries: number; redeliveries: number; acked: number; pushing: number; duplicateUuids: number };
  /** Extension: kill every WS long connection (like a network drop); returns how many were open. */
  dropWsConnections(): number;
  close(): Promise<void>;
}

export interface SentMessage {
  messageId: string;
  chatId: string;
  toOpenId?: string;
  msgType: string;
  content: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  uuid?: string;
  parentId?: string;
  rootId?: string;
  kind: 'create' | 'reply' | 'patch' | 'urgent';
  at: number;
  readBy: string[];
}

export const DEFAULT_USERS: NonNullable<SandboxOptions['users']> = [
  { openId: 'ou_sandbox_zhangsan', name: '张三', mobile: '13800000001', email: 'zhangsan@example.com' },
  { openId: 'ou_sandbox_lisi', name: '李四', mobile: '13800000002', email: 'lisi@example.com' },
  { openId: 'ou_sandbox_wangwu', name: '王五', mobile: '13800000003', email: 'wangwu@example.com' },
];

export const BOT_NAME = '党建助手';

export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const cfg = {
    appId: opts.appId ?? 'cli_a1b2c3d4e5f60718',
    appSecret: opts.appSecret ?? 'sandbox-secret',
    encryptKey: opts.encryptKey ?? randomBytes(24).toString('base64url'),
    verificationToken: opts.verificationToken ?? 'sandbox-verification-token',
    tenantKey: opts.tenantKey ?? 'sandbox-tenant',
    botOpenId: opts.botOpenId ?? 'ou_sandbox_bot',
    botName: BOT_NAME,
    appPerSecond: opts.rateLimit?.appPerSecond ?? 50,
    appPerMinute: opts.rateLimit?.appPerMinute ?? (opts.rateLimit?.appPerSecond ?? 50) * 20,
    perTargetPerSecond: opts.rateLimit?.perTargetPerSecond ?? 5,
  };
  const log = (line: string): void => opts.log?.(`[sandbox] ${line}`);
  const world = new World(cfg.tenantKey);
  for (const u of opts.users ?? DEFAULT_USERS) world.addUser(u);
  const stats: SandboxStats = { requests: {}, rateLimited: 0, appRateLimited: 0, deliveries: 0, redeliveries: 0, acked: 0, pushing: 0, duplicateUuids: 0 };
  const failures = new Map<string, Array<{ remaining: number; resp: InjectedFailure }>>();
  const windows = new Map<string, Array<{ until: number; resp?: InjectedFailure; delayMs?: number }>>();
  const cardTokens = new Map<string, CardTokenRecord>();
  const knownApi = (api: string, fn: string) => {
    if (!openapi.apiNames.includes(api)) throw new Error(`sandbox.${fn}: unknown api '${api}'; known: ${openapi.apiNames.join(', ')}`);
  };
  const openapi = new OpenApi({ world, limiter: new SlidingWindowLimiter(), config: cfg, stats, failures, windows, cardTokens, log });
  const ws = new WsGateway({ appId: cfg.appId, appSecret: cfg.appSecret, log, onConnectionsChanged: () => world.emit({ kind: 'users' }) });

  let mode: NonNullable<SandboxOptions['delivery']> = opts.delivery ?? { mode: 'ws' };
  let webhook: WebhookTransport | null = mode.mode === 'webhook' ? new WebhookTransport(mode.url, cfg.encryptKey) : null;
  const transport = (): Transport | null => (mode.mode === 'ws' ? ws : mode.mode === 'webhook' ? webhook : null);
  const delivery = new Delivery({
    transport,
    ackTimeoutMs: opts.ackTimeoutMs ?? 3000,
    redeliverAfterMs: opts.redeliverAfterMs ?? [15_000, 300_000, 3_600_000, 21_600_000],
    stats,
    log,
  });
  const envCtx: EnvelopeContext = { appId: cfg.appId, tenantKey: cfg.tenantKey, verificationToken: cfg.verificationToken };

  const userSends: Sandbox['userSends'] = async (o) => {
    const user = world.ensureUser(o.from);
    const chatId = o.chatId ?? world.p2pChatId(user.openId);
    const chat = world.chats.get(chatId);
    if (!chat) throw new Error(`sandbox: unknown chat ${chatId}`);
    if (!chat.members.includes(user.openId)) throw new Error(`sandbox: ${user.openId} is not a member of chat ${chatId}`);
    const messageId = newId.message();
    let msgType = 'text';
    let content: string;
    let mentions: unknown[] | undefined;
    const addResource = (r: Omit<ResourceRecord, 'messageId'>): void => void world.resources.set(r.key, { ...r, messageId });
    if (o.image) {
      const key = newId.image();
      addResource({ key, type: 'image', bytes: o.image.bytes, contentType: 'image/png', ...(o.image.fileName ? { fileName: o.image.fileName } : {}) });
      msgType = 'image';
      content = JSON.stringify({ image_key: key });
    } else if (o.file) {
      const key = newId.file();
      addResource({ key, type: 'file', bytes: o.file.bytes, fileName: o.file.fileName, contentType: 'application/octet-stream' });
      msgType = 'file';
      content = JSON.stringify({ file_key: key, file_name: o.file.fileName });
    } else if (o.post !== undefined) {
      msgType = 'post';
      content = typeof o.post === 'string' ? o.post : JSON.stringify(o.post);
    } else {
      let text = o.text ?? '';
      if (o.mentionBot) {
        const placeholder = '@_user_1';
        const tags = ['@机器人', `@${cfg.botName}`];
        const tag = tags.find((t) => text.includes(t));
        text = tag ? text.replace(tag, placeholder) : `${placeholder} ${text}`;
        mentions = [{ key: placeholder, id: { union_id: `on_${cfg.botOpenId.slice(3)}`, user_id: '', open_id: cfg.botOpenId }, name: cfg.botName, tenant_key: cfg.tenantKey }];
      }
      content = JSON.stringify({ text });
    }
    const parent = o.parentId ? world.messages.get(o.parentId) : undefined;
    if (o.parentId && !parent) throw new Error(`sandbox: unknown parent message ${o.parentId}`);
    const rootId = o.rootId ?? (parent ? (parent.rootId ?? parent.messageId) : undefined);
    const m = world.addMessage({
      messageId,
      chatId,
      senderType: 'user',
      senderId: user.openId,
      msgType,
      content,
      ...(o.parentId ? { parentId: o.parentId } : {}),
      ...(rootId ? { rootId } : {}),
      ...(parent?.threadId ? { threadId: parent.threadId } : {}),
      ...(mentions ? { mentions } : {}),
    });
    world.markRead(chatId, user.openId);
    const setStatus = (s: EventStatus): void => {
      m.delivery = s;
      world.emit({ kind: 'chat', chatId });
    };
    if (!chat.botIsMember || (chat.type === 'group' && !o.mentionBot)) {
      setStatus('not_delivered'); // Lark only pushes group messages that @ the bot (without the im:message.group_msg scope)
    } else {
      delivery.deliverEvent(messageReceiveEvent(envCtx, user, m, chat), setStatus);
    }
    return messageId;
  };

  const userClicksMenu: Sandbox['userClicksMenu'] = async (o) => {
    const user = world.ensureUser(o.from);
    const event = {
      operator: { operator_name: user.name, operator_id: { union_id: user.unionId, user_id: user.userId, open_id: user.openId } },
      event_key: o.eventKey,
      timestamp: Math.floor(Date.now() / 1000),
    };
    delivery.deliverEvent(envelope(envCtx, 'application.bot.menu_v6', event));
  };

  const userClicks: Sandbox['userClicks'] = async (o) => {
    const user = world.ensureUser(o.from);
    const m = world.messages.get(o.messageId);
    if (!m || m.senderType !== 'app' || m.msgType !== 'interactive') throw new Error(`sandbox: ${o.messageId} is not a card the bot sent`);
    const chat = world.chats.get(m.chatId);
    if (!chat?.members.includes(user.openId)) throw new Error(`sandbox: ${user.openId} cannot see message ${o.messageId}`);
    world.markRead(m.chatId, user.openId);
    const token = openapi.issueCardToken(m.messageId, user.openId);
    const env = cardActionEvent(envCtx, user, token, m.messageId, m.chatId, {
      value: o.value,
      tag: o.tag ?? 'button',
      ...(o.formValue ? { formValue: o.formValue } : {}),
      ...(o.name ? { name: o.name } : {}),
      ...(o.option !== undefined ? { option: o.option } : {}),
      ...(o.checked !== undefined ? { checked: o.checked } : {}),
    });
    const r = await delivery.deliverCallback(env);
    const tokenRec = cardTokens.get(token);
    if (tokenRec) tokenRec.answered = true;
    const fail = (code: number, msg: string): unknown => {
      world.emit({ kind: 'toast', chatId: m.chatId, openId: user.openId, toast: { type: 'error', content: `${msg}（错误码 ${code}）` } });
      return { error: { code, msg } };
    };
    if (!r.ok) {
      if (r.reason === 'delivery disabled' || r.reason.startsWith('no ws client')) return fail(200340, '机器人没有接收回调（未连接或未配置回调地址）');
      if (r.reason.startsWith('no ')) return fail(200341, '回调超时：机器人未在 3 秒内响应');
      return fail(200671, `回调失败：${r.reason}`);
    }
    const answer = r.answer;
    if (!answer || typeof answer !== 'object' || Array.isArray(answer)) return fail(200672, '回调响应格式错误');
    const a = answer as { toast?: unknown; card?: { type?: string; data?: unknown } };
    if (a.card) {
      const oldIs2 = (safeParse(m.content) as { schema?: string } | null)?.schema === '2.0';
      if (a.card.type === 'raw' && a.card.data && typeof a.card.data === 'object') {
        const newIs2 = (a.card.data as { schema?: string }).schema === '2.0';
        if (oldIs2 && !newIs2) return fail(200830, '卡片 JSON 2.0 不能用 1.0 结构的卡片更新');
        openapi.applyCardUpdate(m, JSON.stringify(a.card.data), 'patch');
      } else if (a.card.type === 'template') {
        log(`callback answered with a template card (${JSON.stringify(a.card.data)}); templates are not rendered by the sandbox`);
      } else {
        return fail(200672, '回调响应中的 card 格式错误');
      }
    }
    if (a.toast) world.emit({ kind: 'toast', chatId: m.chatId, openId: user.openId, toast: a.toast });
    return answer;
  };

  const sent: Sandbox['sent'] = (filter) =>
    world.sentLog
      .filter((e) => (!filter?.chatId || e.chatId === filter.chatId) && (!filter?.toOpenId || e.toOpenId === filter.toOpenId))
      .map((e) => world.withReadBy(e));

  const waitFor: Sandbox['waitFor'] = (pred, timeoutMs = 5000) => {
    const hit = sent().find(pred);
    if (hit) return Promise.resolve(hit);
    return new Promise((resolve, reject) => {
      const off = world.onSent((m) => {
        if (!pred(m)) return;
        clearTimeout(timer);
        off();
        resolve(m);
      });
      const timer = setTimeout(() => {
        off();
        reject(new Error(`sandbox.waitFor: no matching message within ${timeoutMs} ms (bot sent ${world.sentLog.length} so far)`));
      }, timeoutMs);
    });
  };

  const page = new Page({
    world,
    bot: { openId: cfg.botOpenId, name: cfg.botName, appId: cfg.appId },
    deliveryInfo: () => ({ mode: mode.mode, url: mode.mode === 'webhook' ? mode.url : undefined, wsClients: ws.connectionCount }),
    userSends,
    userClicks,
  });

  const server = createServer((req, res) => {
    void route(req, res);
  });
  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    try {
      if (url.pathname.startsWith('/open-apis/')) {
        if (await openapi.handle(req, res, url)) return;
        res.writeHead(404, { 'Content-Type': 'text/plain' }).end('404 page not found');
        return;
      }
      if (url.pathname === '/callback/ws/endpoint' && req.method === 'POST') return await ws.handleEndpoint(req, res);
      if (url.pathname === '/' || url.pathname === '/sandbox') {
        res.writeHead(302, { Location: '/sandbox/' }).end();
        return;
      }
      if (url.pathname.startsWith('/sandbox/') && (await page.handle(req, res, url))) return;
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('404 page not found');
    } catch (e) {
      if (e instanceof HttpError) sendJson(res, e.status, e.body, e.headers);
      else {
        log(`${req.method} ${url.pathname} failed: ${(e as Error).stack ?? String(e)}`);
        sendJson(res, 500, { code: 1, msg: (e as Error).message });
      }
    }
  };
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    if (url.pathname === '/ws') ws.handleUpgrade(req, socket, head);
    else socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const baseUrl = `http://127.0.0.1:${port}`;
  log(`listening on ${baseUrl}`);

  return {
    baseUrl,
    pageUrl: `${baseUrl}/sandbox/`,
    appId: cfg.appId,
    appSecret: cfg.appSecret,
    encryptKey: cfg.encryptKey,
    verificationToken: cfg.verificationToken,
    botOpenId: cfg.botOpenId,
    setDelivery(d) {
      mode = d ?? { mode: 'none' };
      webhook = mode.mode === 'webhook' ? new WebhookTransport(mode.url, cfg.encryptKey) : null;
      world.emit({ kind: 'users' });
      log(`delivery mode: ${mode.mode}${mode.mode === 'webhook' ? ` → ${mode.url}` : ''}`);
    },
    addUser: (u) => void world.addUser(u),
    createGroup: (o) => world.createGroup(o),
    p2pChatId: (openId) => world.p2pChatId(openId),
    userSends,
    userClicks,
    userClicksMenu,
    sent,
    waitFor,
    failNext(api, n, resp) {
      knownApi(api, 'failNext');
      const queue = failures.get(api) ?? [];
      queue.push({ remaining: n, resp });
      failures.set(api, queue);
    },
    failFor(api, ms, resp) {
      knownApi(api, 'failFor');
      windows.set(api, [...(windows.get(api) ?? []), { until: Date.now() + ms, resp }]);
    },
    delayFor(api, ms, delayMs) {
      knownApi(api, 'delayFor');
      windows.set(api, [...(windows.get(api) ?? []), { until: Date.now() + ms, delayMs }]);
    },
    stats: () => ({ ...stats, requests: { ...stats.requests } }),
    dropWsConnections: () => ws.dropConnections(),
    async close() {
      delivery.close();
      page.close();
      ws.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function safeParse(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return null;
  }
}
