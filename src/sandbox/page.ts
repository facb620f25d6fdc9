// The web chat page: static files from ./page/ plus a small JSON API and a Server-Sent-Events stream under /sandbox/api.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { hex } from './crypto.js';
import { HttpError, parseJson, readBody, sendBytes, sendJson } from './http-util.js';
import type { Sandbox } from './index.js';
import { parseContent, type World, type WorldChange } from './world.js';

export interface PageDeps {
  world: World;
  bot: { openId: string; name: string; appId: string };
  deliveryInfo: () => { mode: string; url?: string | undefined; wsClients: number };
  userSends: Sandbox['userSends'];
  userClicks: Sandbox['userClicks'];
}

const STATIC: Record<string, { file: string; type: string }> = {
  '/sandbox/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/sandbox/index.html': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/sandbox/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/sandbox/card.js': { file: 'card.js', type: 'text/javascript; charset=utf-8' },
  '/sandbox/style.css': { file: 'style.css', type: 'text/css; charset=utf-8' },
};

/** The page assets live next to this file in src/sandbox/page (also when running from a tsc build in dist/). */
function assetDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, 'page'), resolve(here, '../../../src/sandbox/page'), resolve(process.cwd(), 'src/sandbox/page')];
  for (const dir of candidates) {
    try {
      readFileSync(join(dir, 'index.html'));
      return dir;
    } catch {
      // try the next one
    }
  }
  return candidates[0] as string;
}

/** The browser bundle of @visactor/vchart (a UMD file defining the global VChart). */
function vchartBundle(): string {
  const main = createRequire(import.meta.url).resolve('@visactor/vchart'); // …/@visactor/vchart/cjs/index.js
  return resolve(dirname(main), '..', 'build', 'index.min.js');
}

export class Page {
  private readonly streams = new Set<ServerResponse>();
  private readonly off: () => void;
  private readonly dir = assetDir();
  private readonly keepAlive: NodeJS.Timeout;

  constructor(private readonly d: PageDeps) {
    this.off = d.world.onChange((c) => this.broadcast(c));
    this.keepAlive = setInterval(() => {
      for (const s of this.streams) s.write(': keep-alive\n\n');
    }, 15_000);
    this.keepAlive.unref();
  }

  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    if (url.pathname === '/sandbox/vchart.js' && req.method === 'GET') {
      // VChart, as Lark draws a card's chart_spec with it: its browser bundle from the npm package.
      sendBytes(res, 200, readFileSync(vchartBundle()), { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'max-age=3600' });
      return true;
    }
    const asset = STATIC[url.pathname];
    if (asset && req.method === 'GET') {
      // Read on every request so edits to the page show up on reload.
      sendBytes(res, 200, readFileSync(join(this.dir, asset.file)), { 'Content-Type': asset.type, 'Cache-Control': 'no-store' });
      return true;
    }
    const api = url.pathname.slice('/sandbox/api/'.length);
    if (!url.pathname.startsWith('/sandbox/api/')) return false;
    if (req.method === 'GET' && api === 'state') return this.json(res, this.state());
    if (req.method === 'GET' && api === 'chat') return this.json(res, this.chat(url.searchParams.get('chatId') ?? '', url.searchParams.get('viewer') ?? ''));
    if (req.method === 'GET' && api === 'p2p') return this.json(res, { chatId: this.d.world.p2pChatId(url.searchParams.get('openId') ?? '') });
    if (req.method === 'GET' && api === 'events') return this.events(req, res);
    if (req.method === 'GET' && api.startsWith('resource/')) return this.resource(res, decodeURIComponent(api.slice('resource/'.length)));
    if (req.method === 'POST') {
      // Any web page the developer visits could otherwise post here (a cross-site text/plain form or
      // fetch needs no preflight) and act as any sandbox user: only JSON, and only from this page.
      const type = String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      if (type !== 'application/json') throw new HttpError(415, { error: 'content-type must be application/json' });
      const origin = req.headers.origin;
      if (origin !== undefined && origin !== `http://${req.headers.host}`) throw new HttpError(403, { error: 'cross-site request refused' });
      const body = parseJson(await readBody(req)) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
      if (api === 'send') {
        const messageId = await this.d.userSends({
          from: String(body.from),
          chatId: String(body.chatId),
          text: String(body.text ?? ''),
          mentionBot: body.mentionBot === true,
          ...(body.parentId ? { parentId: String(body.parentId) } : {}),
        });
        return this.json(res, { messageId });
      }
      if (api === 'send-file') {
        // A file from the page (e.g. a roster workbook for the bot to import), its bytes in base64.
        const fileName = String(body.fileName ?? '').trim();
        if (!fileName || typeof body.base64 !== 'string') throw new HttpError(400, { error: '缺少文件名或文件内容' });
        const messageId = await this.d.userSends({ from: String(body.from), chatId: String(body.chatId), file: { fileName, bytes: Buffer.from(body.base64, 'base64') } });
        return this.json(res, { messageId });
      }
      if (api === 'click') {
        const answer = await this.d.userClicks({
          from: String(body.from),
          messageId: String(body.messageId),
          value: (body.value ?? {}) as Record<string, unknown>,
          ...(body.formValue ? { formValue: body.formValue as Record<string, unknown> } : {}),
          ...(body.name ? { name: String(body.name) } : {}),
          ...(typeof body.tag === 'string' ? { tag: body.tag } : {}),
          ...(typeof body.option === 'string' ? { option: body.option } : {}),
          ...(typeof body.checked === 'boolean' ? { checked: body.checked } : {}),
        });
        return this.json(res, { answer });
      }
      if (api === 'group') {
        const members = Array.isArray(body.memberOpenIds) ? body.memberOpenIds.map(String) : [];
        if (!body.name || members.length === 0) throw new HttpError(400, { error: '群名和成员不能为空' });
        return this.json(res, { chatId: this.d.world.createGroup({ name: String(body.name), memberOpenIds: members, botIsMember: true }) });
      }
      if (api === 'user') {
        const name = String(body.name ?? '').trim();
        if (!name) throw new HttpError(400, { error: '姓名不能为空' });
        const openId = `ou_${hex(16)}`;
        const mobile = String(body.mobile ?? '').trim();
        const email = String(body.email ?? '').trim();
        this.d.world.addUser({ openId, name, ...(mobile ? { mobile } : {}), ...(email ? { email } : {}) });
        return this.json(res, { openId });
      }
      if (api === 'read') {
        this.d.world.markRead(String(body.chatId), String(body.viewer));
        return this.json(res, {});
      }
    }
    return false;
  }

  private json(res: ServerResponse, body: unknown): true {
    sendJson(res, 200, body, { 'Cache-Control': 'no-store' });
    return true;
  }

  private state(): unknown {
    const { world } = this.d;
    return {
      bot: this.d.bot,
      delivery: this.d.deliveryInfo(),
      users: [...world.users.values()].map((u) => ({ openId: u.openId, name: u.name, status: u.status })),
      chats: [...world.chats.values()].map((c) => ({
        chatId: c.chatId,
        type: c.type,
        name: c.name,
        members: c.members,
        botIsMember: c.botIsMember,
        p2pUser: c.p2pUser,
      })),
    };
  }

  private chat(chatId: string, viewer: string): unknown {
    const { world } = this.d;
    const chat = world.chats.get(chatId);
    if (!chat) throw new HttpError(404, { error: `未知会话 ${chatId}` });
    if (viewer && chat.members.includes(viewer)) world.markRead(chatId, viewer);
    const nameOf = (id: string): string => (id === this.d.bot.appId ? this.d.bot.name : (world.users.get(id)?.name ?? id));
    return {
      chat: { chatId: chat.chatId, type: chat.type, name: chat.name, members: chat.members.map((id) => ({ openId: id, name: nameOf(id) })), botIsMember: chat.botIsMember },
      messages: world.messagesIn(chatId).map((m) => ({
        messageId: m.messageId,
        senderType: m.senderType,
        senderId: m.senderId,
        senderName: nameOf(m.senderId),
        msgType: m.msgType,
        content: parseContent(m.content),
        parentId: m.parentId,
        rootId: m.rootId,
        createTime: m.createTime,
        updateTime: m.updateTime,
        deleted: m.deleted,
        delivery: m.delivery,
        mentions: m.mentions,
        readBy: [...m.readBy.keys()].map(nameOf),
      })),
    };
  }

  private resource(res: ServerResponse, key: string): true {
    const r = this.d.world.resources.get(key);
    if (!r) throw new HttpError(404, { error: 'no such resource' });
    sendBytes(res, 200, r.bytes, { 'Content-Type': r.contentType, 'Cache-Control': 'no-store' });
    return true;
  }

  private events(req: IncomingMessage, res: ServerResponse): true {
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
    res.write('retry: 1000\n\n');
    this.streams.add(res);
    req.on('close', () => this.streams.delete(res));
    return true;
  }

  private broadcast(c: WorldChange): void {
    const data = `data: ${JSON.stringify(c)}\n\n`;
    for (const s of this.streams) s.write(data);
  }

  close(): void {
    this.off();
    clearInterval(this.keepAlive);
    for (const s of this.streams) s.end();
    this.streams.clear();
  }
}
