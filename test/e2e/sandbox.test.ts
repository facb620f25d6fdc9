// The Lark sandbox driven by the real @larksuiteoapi/node-sdk: OpenAPI, webhook delivery, long connection.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as lark from '@larksuiteoapi/node-sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/index.js';

const quiet = { error() {}, warn() {}, info() {}, debug() {}, trace() {} };
const ALICE = 'ou_alice';
const BOB = 'ou_bob';
const users: SandboxOptions['users'] = [
  { openId: ALICE, name: '爱丽丝', mobile: '+86 13800000011', email: 'alice@example.com' },
  { openId: BOB, name: '鲍勃', email: 'bob@example.com' },
  { openId: 'ou_gone', name: '已离职', email: 'gone@example.com', status: 'resigned' },
  { openId: 'ou_hidden', name: '不可见', status: 'out_of_scope' },
];

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

async function sandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const sb = await startSandbox({ users, delivery: { mode: 'none' }, ...opts });
  cleanups.push(() => sb.close());
  return sb;
}

function client(sb: Sandbox): lark.Client {
  return new lark.Client({ appId: sb.appId, appSecret: sb.appSecret, domain: sb.baseUrl, cache: new lark.DefaultCache(), logger: quiet });
}

/** The Lark error body of an SDK call that failed with a non-2xx status. */
async function larkFailure(p: Promise<unknown>): Promise<{ status: number; data: { code: number; msg: string }; headers: Record<string, string> }> {
  try {
    await p;
  } catch (e) {
    const r = (e as { response?: { status: number; data: { code: number; msg: string }; headers: Record<string, string> } }).response;
    if (r) return r;
    throw e;
  }
  throw new Error('expected the call to fail');
}

const text = (t: string): string => JSON.stringify({ text: t });
const card = (title: string) => ({
  schema: '2.0',
  config: { update_multi: true },
  header: { title: { tag: 'plain_text', content: title } },
  body: { elements: [{ tag: 'button', text: { tag: 'plain_text', content: '确认' }, behaviors: [{ type: 'callback', value: { action: 'ok' } }] }] },
});

/** A bot's webhook endpoint: the SDK's own EventDispatcher + adaptDefault. */
async function webhookReceiver(encryptKey: string, handlers: Record<string, (data: any) => unknown>): Promise<{ url: string; server: Server }> {
  const dispatcher = new lark.EventDispatcher({ encryptKey, logger: quiet }).register(handlers as never);
  const server = createServer(lark.adaptDefault('/webhook/event', dispatcher, { autoChallenge: true }));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => new Promise((r) => { server.closeAllConnections(); server.close(r); }));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook/event`, server };
}

function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('OpenAPI through the real SDK Client', () => {
  it('sends, replies and patches with Lark response shapes', async () => {
    const sb = await sandbox();
    const c = client(sb);
    const created = await c.im.v1.message.create({ params: { receive_id_type: 'open_id' }, data: { receive_id: ALICE, msg_type: 'text', content: text('你好') } });
    expect(created.code).toBe(0);
    expect(created.data?.message_id).toMatch(/^om_/);
    expect(created.data?.chat_id).toBe(sb.p2pChatId(ALICE));
    expect(created.data?.sender).toMatchObject({ id: sb.appId, id_type: 'app_id', sender_type: 'app' });
    expect(created.data?.body?.content).toBe(text('你好'));

    const userMsg = await sb.userSends({ from: ALICE, text: '收到' });
    const replied = await c.im.v1.message.reply({ path: { message_id: userMsg }, data: { msg_type: 'interactive', content: JSON.stringify(card('待确认')) } });
    expect(replied.data).toMatchObject({ parent_id: userMsg, root_id: userMsg, msg_type: 'interactive' });
    const cardId = replied.data?.message_id ?? '';
    const patched = await c.im.v1.message.patch({ path: { message_id: cardId }, data: { content: JSON.stringify(card('已确认')) } });
    expect(patched.code).toBe(0);

    const log = sb.sent();
    expect(log.map((m) => m.kind)).toEqual(['create', 'reply', 'patch']);
    expect(log[0]).toMatchObject({ chatId: sb.p2pChatId(ALICE), toOpenId: ALICE, msgType: 'text', content: { text: '你好' } });
    expect(log[1]).toMatchObject({ parentId: userMsg, rootId: userMsg, msgType: 'interactive' });
    expect(log[2]).toMatchObject({ messageId: cardId, content: { header: { title: { content: '已确认' } } } });
    expect(sb.sent({ toOpenId: BOB })).toEqual([]);
    expect(sb.stats().requests['im.v1.message.create']).toBe(1);

    // Patching a text message, or a message that does not exist, fails like Lark.
    expect((await larkFailure(c.im.v1.message.patch({ path: { message_id: created.data?.message_id ?? '' }, data: { content: '{}' } }))).data.code).toBe(230001);
    expect((await larkFailure(c.im.v1.message.reply({ path: { message_id: 'om_nope' }, data: { msg_type: 'text', content: text('x') } }))).data.code).toBe(230001);
  });

  it('sends to a chat_id, user_id and email; unreachable targets get Lark error codes', async () => {
    const sb = await sandbox();
    const c = client(sb);
    const group = sb.createGroup({ name: '第一支部', memberOpenIds: [ALICE, BOB] });
    const outside = sb.createGroup({ name: '无机器人群', memberOpenIds: [ALICE], botIsMember: false });
    const g = await c.im.v1.message.create({ params: { receive_id_type: 'chat_id' }, data: { receive_id: group, msg_type: 'text', content: text('全体') } });
    expect(g.data?.chat_id).toBe(group);
    const byEmail = await c.im.v1.message.create({ params: { receive_id_type: 'email' }, data: { receive_id: 'bob@example.com', msg_type: 'text', content: text('hi') } });
    expect(byEmail.data?.chat_id).toBe(sb.p2pChatId(BOB));
    const alice = await c.contact.v3.user.get({ path: { user_id: ALICE }, params: { user_id_type: 'open_id' } });
    const byUserId = await c.im.v1.message.create({ params: { receive_id_type: 'user_id' }, data: { receive_id: alice.data?.user?.user_id ?? '', msg_type: 'text', content: text('hi') } });
    expect(byUserId.data?.chat_id).toBe(sb.p2pChatId(ALICE));

    const send = (idType: 'open_id' | 'chat_id', id: string) =>
      larkFailure(c.im.v1.message.create({ params: { receive_id_type: idType }, data: { receive_id: id, msg_type: 'text', content: text('x') } }));
    expect((await send('open_id', 'ou_gone')).data.code).toBe(230029);
    expect((await send('open_id', 'ou_hidden')).data.code).toBe(230013);
    expect((await send('chat_id', outside)).data.code).toBe(230002);
    expect(sb.sent({ chatId: group })).toHaveLength(1);
  });

  it('a repeated uuid sends at most one message and returns the first one', async () => {
    const sb = await sandbox();
    const c = client(sb);
    const send = () => c.im.v1.message.create({ params: { receive_id_type: 'open_id' }, data: { receive_id: ALICE, msg_type: 'text', content: text('只发一次'), uuid: 'remind-42' } });
    const a = await send();
    const b = await send();
    expect(b.data?.message_id).toBe(a.data?.message_id);
    expect(sb.sent()).toHaveLength(1);
    expect(sb.sent()[0]?.uuid).toBe('remind-42');
    expect(sb.stats().duplicateUuids).toBe(1);
  });

  it('failNext answers the next calls with the injected status, code and headers', async () => {
    const sb = await sandbox();
    const c = client(sb);
    sb.failNext('im.v1.message.create', 2, { status: 500, code: 1, msg: 'internal error', headers: { 'x-tt-logid': 'abc' } });
    const send = () => c.im.v1.message.create({ params: { receive_id_type: 'open_id' }, data: { receive_id: ALICE, msg_type: 'text', content: text('重试') } });
    const f1 = await larkFailure(send());
    expect(f1.status).toBe(500);
    expect(f1.data).toEqual({ code: 1, msg: 'internal error' });
    expect(f1.headers['x-tt-logid']).toBe('abc');
    await larkFailure(send());
    expect((await send()).code).toBe(0);
    expect(sb.sent()).toHaveLength(1);
    expect(() => sb.failNext('im.v1.nope', 1, { status: 500, code: 1 })).toThrow(/unknown api/);
  });

  it('failFor fails every call within its window and none after; delayFor answers calls in its window late', async () => {
    const sb = await sandbox({ rateLimit: { appPerSecond: 0 } });
    const c = client(sb);
    const send = () => c.im.v1.message.create({ params: { receive_id_type: 'open_id' }, data: { receive_id: ALICE, msg_type: 'text', content: text('x') } });
    sb.failFor('im.v1.message.create', 400, { status: 429, code: 99991400, msg: 'request trigger frequency limit', headers: { 'x-ogw-ratelimit-reset': '1' } });
    for (let i = 0; i < 3; i++) expect((await larkFailure(send())).status).toBe(429);
    await sleep(450); // the window is a span of time
    expect((await send()).code).toBe(0);

    sb.delayFor('im.v1.message.create', 200, 700);
    const t0 = performance.now();
    expect((await send()).code).toBe(0);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(690);
    await sleep(250);
    const t1 = performance.now();
    expect((await send()).code).toBe(0);
    expect(performance.now() - t1).toBeLessThan(500);
    expect(sb.sent()).toHaveLength(3);
    expect(() => sb.delayFor('im.v1.nope', 1, 1)).toThrow(/unknown api/);
  });

  it('answers 429 / 99991400 with x-ogw-ratelimit headers above the per-app limit', async () => {
    const sb = await sandbox({ rateLimit: { appPerSecond: 3, perTargetPerSecond: 0 } });
    const c = client(sb);
    const results = await Promise.allSettled(
      [ALICE, BOB, ALICE, BOB].map((id) => c.im.v1.message.create({ params: { receive_id_type: 'open_id' }, data: { receive_id: id, msg_type: 'text', content: text('x') } })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    const resp = (rejected.reason as { response: { status: number; data: unknown; headers: Record<string, string> } }).response;
    expect(resp.status).toBe(429);
    expect(resp.data).toEqual({ code: 99991400, msg: 'request trigger frequency limit' });
    expect(resp.headers['x-ogw-ratelimit-limit']).toBe('3');
    expect(Number(resp.headers['x-ogw-ratelimit-reset'])).toBeGreaterThanOrEqual(1);
    expect(sb.stats().rateLimited).toBe(1);
    await sleep(1050); // the one-second sliding window is what is tested: a second later there is room again
    expect((await c.im.v1.message.create({ params: { receive_id_type: 'open_id' }, data: { receive_id: ALICE, msg_type: 'text', content: text('x') } })).code).toBe(0);
  });

  it('answers 230020 above 5 messages per second to the same user', async () => {
    const sb = await sandbox();
    const c = client(sb);
    const send = (id: string) => c.im.v1.message.create({ params: { receive_id_type: 'open_id' }, data: { receive_id: id, msg_type: 'text', content: text('x') } });
    for (let i = 0; i < 5; i++) await send(ALICE);
    const f = await larkFailure(send(ALICE));
    expect(f.status).toBe(400);
    expect(f.data.code).toBe(230020);
    expect((await send(BOB)).code).toBe(0); // another target is unaffected
    expect(sb.sent({ toOpenId: ALICE })).toHaveLength(5);
  });

  it('checks credentials and bearer tokens like Lark', async () => {
    const sb = await sandbox();
    const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${sb.baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    const ok = await post('/open-apis/auth/v3/tenant_access_token/internal', { app_id: sb.appId, app_secret: sb.appSecret });
    const token = (await ok.json()) as { code: number; tenant_access_token: string; expire: number };
    expect(token).toMatchObject({ code: 0, msg: 'ok', expire: 7200 });
    expect(token.tenant_access_token).toMatch(/^t-/);
    const bad = await post('/open-apis/auth/v3/tenant_access_token/internal', { app_id: sb.appId, app_secret: 'wrong' });
    expect(await bad.json()).toEqual({ code: 10014, msg: 'app secret invalid' });
    const invalid = await post('/open-apis/im/v1/messages?receive_id_type=open_id', {}, { authorization: 'Bearer t-forged' });
    expect(((await invalid.json()) as { code: number }).code).toBe(99991663);
    const missing = await post('/open-apis/im/v1/messages?receive_id_type=open_id', {});
    expect(((await missing.json()) as { code: number }).code).toBe(99991661);
    const valid = await post('/open-apis/im/v1/messages?receive_id_type=open_id', { receive_id: ALICE, msg_type: 'text', content: text('x') }, { authorization: `Bearer ${token.tenant_access_token}` });
    expect(((await valid.json()) as { code: number }).code).toBe(0);
  });

  it('serves contact, chat members, bot info, uploads, resources, read receipts, urgent and batch send', async () => {
    const sb = await sandbox();
    const c = client(sb);
    const user = await c.contact.v3.user.get({ path: { user_id: ALICE }, params: { user_id_type: 'open_id' } });
    expect(user.data?.user).toMatchObject({ open_id: ALICE, name: '爱丽丝', email: 'alice@example.com' });
    expect((await larkFailure(c.contact.v3.user.get({ path: { user_id: 'ou_hidden' } }))).data.code).toBe(41050);
    const ids = await c.contact.v3.user.batchGetId({ params: { user_id_type: 'open_id' }, data: { emails: ['bob@example.com', 'nobody@example.com', 'gone@example.com'], mobiles: ['13800000011'] } });
    expect(ids.data?.user_list).toEqual([
      expect.objectContaining({ email: 'bob@example.com', user_id: BOB }),
      { email: 'nobody@example.com' },
      { email: 'gone@example.com' },
      expect.objectContaining({ mobile: '13800000011', user_id: ALICE }),
    ]);

    const group = sb.createGroup({ name: '支委会', memberOpenIds: [ALICE, BOB] });
    const members = await c.im.v1.chatMembers.get({ path: { chat_id: group }, params: { member_id_type: 'open_id' } });
    expect(members.data?.items?.map((m) => m.member_id)).toEqual([ALICE, BOB]);
    expect(members.data?.member_total).toBe(2);
    const info = (await c.request({ method: 'GET', url: '/open-apis/bot/v3/info' })) as { bot: { open_id: string } };
    expect(info.bot.open_id).toBe(sb.botOpenId);

    // Upload an image and a file, then send them.
    const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
    const img = await c.im.v1.image.create({ data: { image_type: 'message', image: png } });
    expect(img?.image_key).toMatch(/^img_v3_/);
    const file = await c.im.v1.file.create({ data: { file_type: 'pdf', file_name: '学习材料.pdf', file: Buffer.from('%PDF-1.4') } });
    expect(file?.file_key).toMatch(/^file_v3_/);
    const sentImg = await c.im.v1.message.create({ params: { receive_id_type: 'chat_id' }, data: { receive_id: group, msg_type: 'image', content: JSON.stringify({ image_key: img?.image_key }) } });
    expect(sentImg.code).toBe(0);

    // A user sends a file; the bot downloads it.
    const userFile = await sb.userSends({ from: ALICE, file: { bytes: Buffer.from('心得体会'), fileName: '心得.txt' } });
    const rec = await c.im.v1.message.get({ path: { message_id: userFile } });
    const fileKey = (JSON.parse(rec.data?.items?.[0]?.body?.content ?? '{}') as { file_key: string }).file_key;
    const download = await c.im.v1.messageResource.get({ path: { message_id: userFile, file_key: fileKey }, params: { type: 'file' } });
    const chunks: Buffer[] = [];
    for await (const chunk of download.getReadableStream()) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('心得体会');

    // Read receipts and urgent.
    const notice = await c.im.v1.message.create({ params: { receive_id_type: 'chat_id' }, data: { receive_id: group, msg_type: 'text', content: text('请按时参加组织生活会') } });
    const noticeId = notice.data?.message_id ?? '';
    await sb.userSends({ from: BOB, chatId: group, text: '收到' }); // Bob read the chat before answering
    const readers = await c.im.v1.message.readUsers({ path: { message_id: noticeId }, params: { user_id_type: 'open_id' } });
    expect(readers.data?.items?.map((i) => i.user_id)).toEqual([BOB]);
    expect(sb.sent({ chatId: group }).find((m) => m.messageId === noticeId)?.readBy).toEqual([BOB]);
    const urgent = await c.im.v1.message.urgentApp({ path: { message_id: noticeId }, params: { user_id_type: 'open_id' }, data: { user_id_list: [ALICE, 'ou_gone'] } });
    expect(urgent.data?.invalid_user_id_list).toEqual(['ou_gone']);
    expect(sb.sent().filter((m) => m.kind === 'urgent')).toMatchObject([{ messageId: noticeId, toOpenId: ALICE }]);

    const batch = (await c.request({
      method: 'POST',
      url: '/open-apis/message/v4/batch_send/',
      data: { msg_type: 'text', content: { text: '月度学习提醒' }, open_ids: [ALICE, BOB, 'ou_gone'] },
    })) as { code: number; data: { message_id: string; invalid_open_ids: string[] } };
    expect(batch.code).toBe(0);
    expect(batch.data.message_id).toMatch(/^bm-/);
    expect(batch.data.invalid_open_ids).toEqual(['ou_gone']);
    expect(sb.sent().filter((m) => m.content?.text === '月度学习提醒').map((m) => m.toOpenId)).toEqual([ALICE, BOB]);
  });
});

describe('webhook delivery', () => {
  it('pushes a signed, encrypted im.message.receive_v1 the SDK accepts; group @bot becomes @_user_1', async () => {
    const got: any[] = [];
    const sb0 = await sandbox();
    const hook = await webhookReceiver(sb0.encryptKey, { 'im.message.receive_v1': (d) => void got.push(d) });
    sb0.setDelivery({ mode: 'webhook', url: hook.url });
    const id = await sb0.userSends({ from: ALICE, text: '/help' });
    const group = sb0.createGroup({ name: '第二支部', memberOpenIds: [ALICE, BOB] });
    await sb0.userSends({ from: BOB, chatId: group, text: '大家好' }); // no @: the bot does not get it
    const gid = await sb0.userSends({ from: BOB, chatId: group, text: '查一下 @机器人 本月学习', mentionBot: true });
    await expect.poll(() => got.length).toBe(2);
    expect(got[0]).toMatchObject({
      event_type: 'im.message.receive_v1',
      token: sb0.verificationToken,
      app_id: sb0.appId,
      sender: { sender_id: { open_id: ALICE }, sender_type: 'user' },
      message: { message_id: id, chat_id: sb0.p2pChatId(ALICE), chat_type: 'p2p', message_type: 'text', content: text('/help') },
    });
    expect(got[1].message).toMatchObject({
      message_id: gid,
      chat_type: 'group',
      content: text('查一下 @_user_1 本月学习'),
      mentions: [{ key: '@_user_1', id: { open_id: sb0.botOpenId }, name: expect.any(String) }],
    });
    await expect.poll(() => sb0.stats().acked).toBe(2);
    expect(sb0.stats()).toMatchObject({ deliveries: 2, redeliveries: 0 });
  });

  it('re-pushes the same event_id when the receiver does not answer within ackTimeoutMs', async () => {
    const seen: string[] = [];
    let stall = true;
    const sb = await sandbox({ ackTimeoutMs: 300, redeliverAfterMs: [100, 100] });
    const hook = await webhookReceiver(sb.encryptKey, {
      'im.message.receive_v1': async (d) => {
        seen.push(d.event_id);
        if (stall) {
          stall = false;
          await sleep(700); // a receiver slower than ackTimeoutMs: the delay is what is tested
        }
      },
    });
    sb.setDelivery({ mode: 'webhook', url: hook.url });
    await sb.userSends({ from: ALICE, text: '在吗' });
    await expect.poll(() => seen.length, { timeout: 3000 }).toBe(2);
    expect(seen[1]).toBe(seen[0]);
    await expect.poll(() => sb.stats().acked).toBe(1);
    expect(sb.stats()).toMatchObject({ deliveries: 1, redeliveries: 1 });
    // Kept as a sleep: the re-push schedule is time itself. Longer than the remaining re-push delay (100 ms),
    // so a push the ack failed to stop would have come.
    await sleep(400);
    expect(seen).toHaveLength(2); // acked: no further pushes
  });

  it('delivers card.action.trigger and returns the callback answer; a raw card answer updates the card', async () => {
    const sb = await sandbox();
    const actions: any[] = [];
    const hook = await webhookReceiver(sb.encryptKey, {
      'card.action.trigger': (d) => {
        actions.push(d);
        return { toast: { type: 'success', content: '已确认' }, card: { type: 'raw', data: card('✅ 已确认') } };
      },
    });
    sb.setDelivery({ mode: 'webhook', url: hook.url });
    const c = client(sb);
    const sent = await c.im.v1.message.create({ params: { receive_id_type: 'open_id' }, data: { receive_id: ALICE, msg_type: 'interactive', content: JSON.stringify(card('请确认')) } });
    const answer = await sb.userClicks({ from: ALICE, messageId: sent.data?.message_id ?? '', value: { action: 'ok' } });
    expect(answer).toMatchObject({ toast: { type: 'success', content: '已确认' } });
    expect(actions[0]).toMatchObject({
      event_type: 'card.action.trigger',
      operator: { open_id: ALICE },
      action: { value: { action: 'ok' }, tag: 'button' },
      context: { open_message_id: sent.data?.message_id, open_chat_id: sb.p2pChatId(ALICE) },
    });
    expect(actions[0].token).toMatch(/^c-/);
    expect(sb.sent().at(-1)).toMatchObject({ kind: 'patch', content: { header: { title: { content: '✅ 已确认' } } } });

    // The callback token can update the card later (interactive/v1/card/update).
    const upd = (await c.request({ method: 'POST', url: '/open-apis/interactive/v1/card/update', data: { token: actions[0].token, card: card('稍后更新') } })) as { code: number };
    expect(upd.code).toBe(0);
    expect(sb.sent().at(-1)).toMatchObject({ kind: 'patch', content: { header: { title: { content: '稍后更新' } } } });
  });
});

describe('long connection (the real SDK WSClient)', () => {
  function wsClient(sb: Sandbox, handlers: Record<string, (data: any) => unknown>, hooks: { onReady?: () => void; onReconnected?: () => void } = {}) {
    const dispatcher = new lark.EventDispatcher({ logger: quiet }).register(handlers as never);
    const ws = new lark.WSClient({ appId: sb.appId, appSecret: sb.appSecret, domain: sb.baseUrl, logger: quiet, ...hooks });
    cleanups.push(() => ws.close({ force: true }));
    return { ws, start: () => ws.start({ eventDispatcher: dispatcher }) };
  }

  it('receives events and card callbacks, and reconnects after the socket is killed', async () => {
    const sb = await sandbox({ delivery: { mode: 'ws' } });
    const got: any[] = [];
    const ready = deferred<void>();
    const reconnected = deferred<void>();
    const { start } = wsClient(
      sb,
      {
        'im.message.receive_v1': (d) => void got.push(d),
        'card.action.trigger': (d) => ({ toast: { type: 'info', content: `收到 ${d.action.value.n} ${JSON.stringify(d.action.form_value)}` } }),
      },
      { onReady: () => ready.resolve(), onReconnected: () => reconnected.resolve() },
    );
    await start();
    await ready.promise;

    const id = await sb.userSends({ from: ALICE, text: '你好' });
    await expect.poll(() => got.length).toBe(1);
    expect(got[0]).toMatchObject({ event_type: 'im.message.receive_v1', message: { message_id: id, content: text('你好') } });

    const c = client(sb);
    const sent = await c.im.v1.message.create({ params: { receive_id_type: 'open_id' }, data: { receive_id: ALICE, msg_type: 'interactive', content: JSON.stringify(card('投票')) } });
    const answer = await sb.userClicks({ from: ALICE, messageId: sent.data?.message_id ?? '', value: { n: 7 }, formValue: { reason: '同意' }, name: 'submit' });
    expect(answer).toEqual({ toast: { type: 'info', content: '收到 7 {"reason":"同意"}' } });

    expect(sb.dropWsConnections()).toBe(1);
    await reconnected.promise;
    await sb.userSends({ from: ALICE, text: '重连后' });
    await expect.poll(() => got.length).toBe(2);
    expect(got[1].message.content).toBe(text('重连后'));
    expect(sb.stats()).toMatchObject({ redeliveries: 0 });
  });

  it('re-pushes over the socket when the handler is slower than ackTimeoutMs, and merges large fragmented events', async () => {
    const sb = await sandbox({ delivery: { mode: 'ws' }, ackTimeoutMs: 300, redeliverAfterMs: [100] });
    const seen: any[] = [];
    const ready = deferred<void>();
    const { start } = wsClient(
      sb,
      {
        'im.message.receive_v1': async (d) => {
          seen.push(d);
          if (seen.length === 1) await sleep(600); // slower than ackTimeoutMs: the delay is what is tested
        },
      },
      { onReady: () => ready.resolve() },
    );
    await start();
    await ready.promise;
    const big = '学'.repeat(20_000); // 60 KB of UTF-8: several frames
    await sb.userSends({ from: ALICE, text: big });
    await expect.poll(() => seen.length, { timeout: 3000 }).toBe(2);
    expect(seen[1].event_id).toBe(seen[0].event_id);
    expect(JSON.parse(seen[1].message.content).text).toBe(big);
    await expect.poll(() => sb.stats().acked).toBe(1);
    expect(sb.stats()).toMatchObject({ deliveries: 1, redeliveries: 1 });
  });

  it('cluster mode: with two clients each event reaches exactly one of them', async () => {
    const sb = await sandbox({ delivery: { mode: 'ws' } });
    const byClient: string[][] = [[], []];
    for (const i of [0, 1]) {
      const ready = deferred<void>();
      const { start } = wsClient(sb, { 'im.message.receive_v1': (d) => void byClient[i]?.push(d.message.message_id) }, { onReady: () => ready.resolve() });
      await start();
      await ready.promise;
    }
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push(await sb.userSends({ from: BOB, text: `第${i}条` }));
    await expect.poll(() => (byClient[0]?.length ?? 0) + (byClient[1]?.length ?? 0)).toBe(6);
    expect([...(byClient[0] ?? []), ...(byClient[1] ?? [])].sort()).toEqual([...ids].sort());
    expect(byClient[0]?.length).toBeGreaterThan(0);
    expect(byClient[1]?.length).toBeGreaterThan(0);
  });

  it('refuses wrong credentials at endpoint discovery (the SDK reports a fatal error)', async () => {
    const sb = await sandbox({ delivery: { mode: 'ws' } });
    const failed = deferred<Error>();
    const dispatcher = new lark.EventDispatcher({ logger: quiet });
    const ws = new lark.WSClient({ appId: sb.appId, appSecret: 'wrong', domain: sb.baseUrl, logger: quiet, onError: (e) => failed.resolve(e) });
    cleanups.push(() => ws.close({ force: true }));
    await ws.start({ eventDispatcher: dispatcher });
    expect((await failed.promise).message).toMatch(/code=514/);
  });
});

describe('sandbox safety on a developer machine', () => {
  it('the page API takes only JSON from its own page: a cross-site text/plain or foreign-Origin POST is refused and sends nothing', async () => {
    const sb = await startSandbox({ port: 0, delivery: { mode: 'none' }, users: [{ openId: 'ou_safe_1', name: '张三' }] });
    try {
      const chatId = sb.p2pChatId('ou_safe_1');
      const body = JSON.stringify({ from: 'ou_safe_1', chatId, text: '/帮助' });
      const post = (headers: Record<string, string>) => fetch(`${sb.baseUrl}/sandbox/api/send`, { method: 'POST', body, headers });
      // What a form or no-preflight fetch on any other web page can send:
      expect((await post({ 'content-type': 'text/plain', origin: 'https://evil.example' })).status).toBe(415);
      expect((await post({ 'content-type': 'text/plain' })).status).toBe(415);
      expect((await post({ 'content-type': 'application/json', origin: 'https://evil.example' })).status).toBe(403);
      const messages = async () => ((await (await fetch(`${sb.baseUrl}/sandbox/api/chat?chatId=${chatId}&viewer=ou_safe_1`)).json()) as { messages: unknown[] }).messages.length;
      expect(await messages()).toBe(0);
      // The page itself (same origin) and tools without an Origin still work.
      expect((await post({ 'content-type': 'application/json', origin: sb.baseUrl })).status).toBe(200);
      expect((await post({ 'content-type': 'application/json; charset=utf-8' })).status).toBe(200);
      expect(await messages()).toBe(2);
    } finally {
      await sb.close();
    }
  });

  it('every sandbox run has its own encrypt key, as does the embedded default configuration', async () => {
    const [a, b] = await Promise.all([startSandbox({ port: 0, delivery: { mode: 'none' } }), startSandbox({ port: 0, delivery: { mode: 'none' } })]);
    try {
      expect(a.encryptKey).not.toBe(b.encryptKey);
      expect(a.encryptKey.length).toBeGreaterThanOrEqual(24);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
    const c1 = loadConfig({ DATABASE_URL: 'postgresql://x@127.0.0.1/x' });
    const c2 = loadConfig({ DATABASE_URL: 'postgresql://x@127.0.0.1/x' });
    expect(c1.sandbox).toBeTruthy();
    expect(c1.lark.encryptKey).not.toBe(c2.lark.encryptKey);
  });
});
