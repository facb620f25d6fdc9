import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messageEnvelope, settled, signedRequest, startTestBot, type TestBot } from '../helpers/bot.js';

const USER = 'ou_e2e_user_0001';
const OTHER = 'ou_e2e_user_0002';

function cardText(content: unknown): string {
  return JSON.stringify(content);
}

describe('foundation over webhook: the bot answers in Lark end to end', () => {
  let bot: TestBot;
  let group: string;

  beforeAll(async () => {
    bot = await startTestBot({
      mode: 'webhook',
      sandbox: { users: [{ openId: USER, name: '张三' }, { openId: OTHER, name: '李四' }] },
    });
    group = bot.sandbox.createGroup({ name: '党建工作群', memberOpenIds: [USER, OTHER], botIsMember: true });
  });
  afterAll(async () => bot?.close());

  const post = (body: string, headers: Record<string, string>) => fetch(bot.webhookUrl, { method: 'POST', body, headers });

  /** A message the sandbox knows (so the bot can reply to it) but has not delivered: the test posts it itself. */
  async function undelivered(text: string) {
    bot.sandbox.setDelivery({ mode: 'none' });
    try {
      const messageId = await bot.sandbox.userSends({ from: USER, text });
      return messageEnvelope({ appId: bot.sandbox.appId, token: bot.sandbox.verificationToken, from: USER, chatId: bot.sandbox.p2pChatId(USER), text, messageId });
    } finally {
      bot.sandbox.setDelivery({ mode: 'webhook', url: bot.webhookUrl });
    }
  }

  it('answers /help in a direct chat with the command list, in Chinese', async () => {
    const p2p = bot.sandbox.p2pChatId(USER);
    const id = await bot.sandbox.userSends({ from: USER, text: '/help' });
    const reply = await bot.sandbox.waitFor((m) => m.chatId === p2p && m.parentId === id);
    expect(reply.msgType).toBe('interactive');
    const text = cardText(reply.content);
    expect(text).toContain('/帮助');
    expect(text).toContain('查看全部命令和用法');
  });

  it('answers @bot 帮助 in a group, and ignores group talk not meant for it', async () => {
    const quiet = await bot.sandbox.userSends({ from: OTHER, chatId: group, text: '大家下午好' });
    const id = await bot.sandbox.userSends({ from: USER, chatId: group, text: '帮助', mentionBot: true });
    const reply = await bot.sandbox.waitFor((m) => m.chatId === group && m.parentId === id);
    expect(cardText(reply.content)).toContain('/帮助');
    await settled(bot);
    expect(bot.sandbox.sent({ chatId: group }).filter((m) => m.parentId === quiet)).toHaveLength(0);
  });

  it('answers an unknown command and plain chatter by pointing to /帮助', async () => {
    const a = await bot.sandbox.userSends({ from: USER, text: '/不存在的命令' });
    const ra = await bot.sandbox.waitFor((m) => m.parentId === a);
    expect(ra.content.text).toContain('没有“/不存在的命令”这个命令');
    const b = await bot.sandbox.userSends({ from: USER, text: '你好' });
    const rb = await bot.sandbox.waitFor((m) => m.parentId === b);
    expect(rb.content.text).toContain('/帮助');
  });

  it('reliability §7.4: refuses a tampered signature with 401 and does nothing', async () => {
    const env = messageEnvelope({ appId: bot.sandbox.appId, token: bot.sandbox.verificationToken, from: USER, chatId: bot.sandbox.p2pChatId(USER), text: '/help' });
    const req = signedRequest(env, bot.sandbox.encryptKey);
    const res = await post(req.body, { ...req.headers, 'x-lark-signature': req.headers['x-lark-signature'].replace(/^./, (c) => (c === '0' ? '1' : '0')) });
    expect(res.status).toBe(401);
    const altered = signedRequest(env, bot.sandbox.encryptKey);
    const res2 = await post(altered.body.replace('"}', ' "}'), altered.headers);
    expect(res2.status).toBe(401);
    await settled(bot);
    expect(bot.sandbox.sent().filter((m) => m.parentId === env.event.message.message_id)).toHaveLength(0);
    expect(await bot.db.prisma.inboundEvent.count({ where: { dedupeKey: `msg:${env.event.message.message_id}` } })).toBe(0);
  });

  it('reliability §7.6, §7.8: refuses a replayed request outside the time window and malformed JSON (§7.7, bodies too large: webhook-limits.test.ts)', async () => {
    const env = messageEnvelope({ appId: bot.sandbox.appId, token: bot.sandbox.verificationToken, from: USER, chatId: bot.sandbox.p2pChatId(USER), text: '/help' });
    const stale = signedRequest(env, bot.sandbox.encryptKey, { timestamp: Math.floor(Date.now() / 1000) - 3600 });
    expect((await post(stale.body, stale.headers)).status).toBe(401);
    expect((await post('{not json', { 'content-type': 'application/json' })).status).toBe(400);
  });

  it('answers the URL check with the challenge', async () => {
    const req = signedRequest({ type: 'url_verification', challenge: 'c-123', token: bot.sandbox.verificationToken }, bot.sandbox.encryptKey);
    const res = await post(req.body, { 'content-type': 'application/json' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ challenge: 'c-123' });
  });

  it('reliability §7.1: gives one reply when the same message is delivered twice', async () => {
    const env = await undelivered('/帮助');
    const first = signedRequest(env, bot.sandbox.encryptKey);
    // Lark re-delivers with the same message_id and a new event_id.
    const again = signedRequest({ ...env, header: { ...env.header, event_id: 'redelivered-' + env.header.event_id } }, bot.sandbox.encryptKey);
    const [a, b] = await Promise.all([post(first.body, first.headers), post(again.body, again.headers)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    await bot.sandbox.waitFor((m) => m.parentId === env.event.message.message_id);
    await settled(bot);
    expect(bot.sandbox.sent().filter((m) => m.parentId === env.event.message.message_id)).toHaveLength(1);
  });

  it('reliability §7.8: records a signed event of an unknown type, answers 200 and keeps going', async () => {
    const env = { schema: '2.0', header: { event_id: 'unknown-type-1', event_type: 'im.message.reaction.created_v1', create_time: String(Date.now()), token: bot.sandbox.verificationToken, app_id: bot.sandbox.appId, tenant_key: 'sandbox-tenant' }, event: {} };
    const req = signedRequest(env, bot.sandbox.encryptKey);
    const res = await post(req.body, req.headers);
    expect(res.status).toBe(200);
    const row = await bot.db.prisma.inboundEvent.findUnique({ where: { dedupeKey: 'evt:unknown-type-1' } });
    expect(row?.status).toBe('IGNORED');
  });

  it('reliability §7.24: ignores messages from bots and from other apps', async () => {
    const p2p = bot.sandbox.p2pChatId(USER);
    const fromBot = messageEnvelope({ appId: bot.sandbox.appId, token: bot.sandbox.verificationToken, from: bot.sandbox.botOpenId, chatId: p2p, text: '/help', senderType: 'app' });
    const otherApp = messageEnvelope({ appId: 'cli_ffffffffffffffff', token: bot.sandbox.verificationToken, from: USER, chatId: p2p, text: '/help' });
    for (const env of [fromBot, otherApp]) {
      const req = signedRequest(env, bot.sandbox.encryptKey);
      expect((await post(req.body, req.headers)).status).toBe(200);
    }
    await settled(bot);
    for (const env of [fromBot, otherApp]) {
      expect(bot.sandbox.sent().filter((m) => m.parentId === env.event.message.message_id)).toHaveLength(0);
    }
  });

  it('reliability §7.3, §7.18: acknowledges at once while the reply waits out a 429, then delivers it once', async () => {
    const env = await undelivered('/help');
    bot.sandbox.failNext('im.v1.message.reply', 1, { status: 429, code: 99991400, msg: 'request trigger frequency limit', headers: { 'x-ogw-ratelimit-reset': '2' } });
    const req = signedRequest(env, bot.sandbox.encryptKey);
    const t0 = performance.now();
    const res = await post(req.body, req.headers);
    const ackMs = performance.now() - t0;
    expect(res.status).toBe(200);
    expect(ackMs).toBeLessThan(1000);
    const reply = await bot.sandbox.waitFor((m) => m.parentId === env.event.message.message_id, 10_000);
    expect(reply.at - t0 - performance.timeOrigin).toBeGreaterThanOrEqual(1900);
    await settled(bot);
    expect(bot.sandbox.sent().filter((m) => m.parentId === env.event.message.message_id)).toHaveLength(1);
  });
});

describe('foundation over the long connection (WS)', () => {
  let bot: TestBot;
  beforeAll(async () => {
    bot = await startTestBot({ mode: 'ws', sandbox: { users: [{ openId: USER, name: '张三' }] } });
  });
  afterAll(async () => bot?.close());

  it('answers /帮助 sent over the long connection', async () => {
    const id = await bot.sandbox.userSends({ from: USER, text: '/帮助' });
    const reply = await bot.sandbox.waitFor((m) => m.parentId === id, 15_000);
    expect(cardText(reply.content)).toContain('查看全部命令和用法');
  });
});
