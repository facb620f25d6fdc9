// The failure paths that used to lose or hide work (issue 12), each against the whole bot on real
// parts: PostgreSQL, Redis, and the Lark sandbox through the real SDK.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { startApp } from '../../src/app.js';
import { createWebhookHandler, larkSignature } from '../../src/bot/webhook.js';
import { loadConfig } from '../../src/config.js';
import { redisBackend } from '../../src/jobs/backend.js';
import { silentLogger } from '../../src/logger.js';
import { confirmNotice } from '../../src/notices/service.js';
import { messageEnvelope, redisUrl, sandboxBotEnv, settled, signedRequest, startTestBot, until, type TestBot } from '../helpers/bot.js';
import { DEMO, DEMO_USERS, seedDistrict } from '../helpers/district.js';

const USER = 'ou_rel_user_0001';

describe('failures are final at once, and the user is told', () => {
  let bot: TestBot;
  beforeAll(async () => {
    bot = await startTestBot({ sandbox: { users: [{ openId: USER, name: '张三' }] } });
  });
  afterAll(async () => bot?.close());

  it('Lark refusing the reply for good marks the event FAILED with its reason on the first attempt, tells the user, and leaves no send SENDING', async () => {
    bot.sandbox.failNext('im.v1.message.reply', 1, { status: 400, code: 230001, msg: 'invalid content' });
    const id = await bot.sandbox.userSends({ from: USER, text: '/帮助' });
    const row = await until('the event row to fail', () =>
      bot.db.prisma.inboundEvent.findFirst({ where: { dedupeKey: `msg:${id}`, status: { not: 'RECEIVED' } } }),
    );
    expect(row.status).toBe('FAILED');
    expect(row.error).toContain('230001');
    const told = await bot.sandbox.waitFor((m) => m.parentId === id);
    expect(told.content.text).toContain('抱歉');
    await settled(bot);
    expect(bot.sandbox.sent().filter((m) => m.parentId === id)).toHaveLength(1);
    const outs = await bot.db.prisma.outboundMessage.findMany({ where: { purpose: 'reply' } });
    expect(outs.map((o) => [o.status, o.errorCode])).toEqual([['FAILED', 'bad_request:230001']]);
  });

  it('a reply Lark keeps failing (5xx) past every attempt is left FAILED with the reason, not SENDING', async () => {
    bot.sandbox.failNext('im.v1.message.reply', 4, { status: 503, code: 0, msg: 'upstream unavailable' });
    const id = await bot.sandbox.userSends({ from: USER, text: '/帮助' });
    const row = await until('the reply send to be recorded as failed', () =>
      bot.db.prisma.outboundMessage.findFirst({ where: { purpose: 'reply', status: { not: 'SENDING' }, errorCode: { startsWith: 'retryable' } } }),
      20_000,
    );
    expect(row.status).toBe('FAILED');
    expect(row.attempts).toBe(4);
    // The queue tries again later and the reply goes out once.
    await bot.sandbox.waitFor((m) => m.parentId === id, 20_000);
    await settled(bot, 20_000);
    expect(bot.sandbox.sent().filter((m) => m.parentId === id)).toHaveLength(1);
  });
});

describe('events that are not ours', () => {
  let bot: TestBot;
  beforeAll(async () => {
    bot = await startTestBot({ sandbox: { users: [{ openId: USER, name: '张三' }] } });
  });
  afterAll(async () => bot?.close());

  it('reliability §7.24: an event of another tenant, of another app, or from the bot itself (sender_type app) is ignored with no reply', async () => {
    // The bot asked Lark which tenant it serves (no LARK_TENANT_KEY here).
    expect(bot.sandbox.stats().requests['tenant.v2.tenant.query']).toBe(1);
    const p2p = bot.sandbox.p2pChatId(USER);
    const base = { appId: bot.sandbox.appId, token: bot.sandbox.verificationToken, from: USER, chatId: p2p, text: '/帮助' };
    const envs = [
      messageEnvelope({ ...base, tenantKey: 'another-tenant' }),
      messageEnvelope({ ...base, tenantKey: '' }),
      messageEnvelope({ ...base, appId: 'cli_ffffffffffffffff' }),
      messageEnvelope({ ...base, from: bot.sandbox.botOpenId, senderType: 'app' }),
    ];
    for (const env of envs) {
      const req = signedRequest(env, bot.sandbox.encryptKey);
      expect((await fetch(bot.webhookUrl, { method: 'POST', body: req.body, headers: req.headers })).status).toBe(200);
    }
    // The same message from our tenant is answered: the check is not refusing everything.
    const ours = messageEnvelope(base);
    bot.sandbox.setDelivery({ mode: 'none' });
    const known = await bot.sandbox.userSends({ from: USER, text: '/帮助' });
    bot.sandbox.setDelivery({ mode: 'webhook', url: bot.webhookUrl });
    const req = signedRequest({ ...ours, event: { ...ours.event, message: { ...ours.event.message, message_id: known } } }, bot.sandbox.encryptKey);
    await fetch(bot.webhookUrl, { method: 'POST', body: req.body, headers: req.headers });
    await bot.sandbox.waitFor((m) => m.parentId === known);
    await settled(bot);
    expect(await bot.db.prisma.inboundEvent.count()).toBe(1);
    expect(bot.sandbox.sent()).toHaveLength(1);
  });
});

describe('Redis losing its data under a running bot', () => {
  const READERS = ['ou_rel_reader_1', 'ou_rel_reader_2', 'ou_rel_reader_3'];
  let bot: TestBot;
  beforeAll(async () => {
    // The reminder cron ticks every second here (every 5 minutes in production); the clock runs a
    // minute ahead so that recover-inbound sees a stored event as old enough to re-queue at once.
    bot = await startTestBot({
      sandbox: { users: [{ openId: USER, name: '张三' }, ...READERS.map((openId, i) => ({ openId, name: `读者${i}` }))] },
      reminderCron: true,
      reminderCronPattern: '* * * * * *',
      clock: () => new Date(Date.now() + 60_000),
    });
  });
  afterAll(async () => bot?.close());

  it('reliability §7.14: a FLUSHDB wipes the recovery scheduler and a queued event; the next tick re-creates the scheduler and the event is answered once', async () => {
    const q = bot.app.deps.queue.queue;
    expect(await q.getJobScheduler('recover-inbound')).toBeTruthy();
    await q.pause();
    const id = await bot.sandbox.userSends({ from: USER, text: '/帮助' });
    await until('the event to be stored and queued', async () => (await q.getWaiting()).some((j) => j.name === 'handle-event'));
    const redis = new Redis(redisUrl());
    // this test run's own Redis (REDIS_URL), never a shared one. The wipe is checked in the same
    // transaction: the cron here ticks every second and may re-create the scheduler right after.
    const key = `bull:${q.name}:repeat:recover-inbound`;
    const done = (await redis.multi().exists(key).flushdb().exists(key).exec())!.map(([, v]) => v);
    await redis.quit();
    expect([done[0], done[2]]).toEqual([1, 0]); // the scheduler was there, and the flush wiped it

    const reply = await bot.sandbox.waitFor((m) => m.parentId === id, 20_000);
    expect(JSON.stringify(reply.content)).toContain('/帮助');
    await settled(bot);
    expect(bot.sandbox.sent().filter((m) => m.parentId === id)).toHaveLength(1);
    expect(await q.getJobScheduler('recover-inbound')).toBeTruthy();
    const schedulers = await q.getJobSchedulers();
    expect(schedulers.filter((s) => s.key === 'recover-inbound')).toHaveLength(1);
    expect((await q.getDelayed()).filter((j) => String(j.id).startsWith('repeat:recover-inbound'))).toHaveLength(1);
  });

  it('reliability §7.14: a FLUSHDB wipes the send jobs of a confirmed notice; recover-notices queues them again and every recipient gets it once', async () => {
    const { db, queue } = bot.app.deps;
    const q = queue.queue;
    const unit = await db.unit.create({ data: { code: 'U-REL', name: '恢复测试单位', kind: 'TOWN' } });
    const sender = await db.person.create({ data: { code: 'P-REL-OD', name: '组织部', unitId: unit.id, role: 'OD_STAFF', larkOpenId: 'ou_rel_od' } });
    const people = await Promise.all(READERS.map((openId, i) => db.person.create({ data: { code: `P-REL-${i}`, name: `读者${i}`, unitId: unit.id, role: 'MEMBER', larkOpenId: openId } })));
    const title = '关于Redis恢复演练的通知';
    const notice = await db.notice.create({
      data: { title, body: '请知悉。', createdById: sender.id, audience: { scope: 'ALL', role: 'ANY' }, recipients: { create: people.map((p) => ({ personId: p.id })) } },
    });
    await q.pause();
    await confirmNotice(bot.app.deps, notice.id);
    await until('the notice to be queued', async () => (await q.getWaiting()).filter((j) => j.name === 'send-notice').length === READERS.length);
    const redis = new Redis(redisUrl());
    await redis.flushdb(); // this test run's own Redis (REDIS_URL), never a shared one
    await redis.quit();

    const cardsTo = (openId: string) => bot.sandbox.sent({ toOpenId: openId }).filter((m) => JSON.stringify(m.content).includes(title));
    for (const openId of READERS) await bot.sandbox.waitFor((m) => m.toOpenId === openId && JSON.stringify(m.content).includes(title), 20_000);
    await settled(bot);
    for (const openId of READERS) expect(cardsTo(openId)).toHaveLength(1);
    expect(await db.noticeRecipient.count({ where: { noticeId: notice.id, status: 'SENT' } })).toBe(READERS.length);
  });
});

describe('the audit log: every refusal and crash is in it, and it cannot be rewritten', () => {
  let bot: TestBot;
  const now = new Date('2026-11-25T10:00:00+08:00');
  beforeAll(async () => {
    bot = await startTestBot({ clock: () => now, sandbox: { users: DEMO_USERS } });
    await seedDistrict(bot.db.prisma, 2026, new Date('2026-01-05T09:00:00+08:00'));
  }, 120_000);
  afterAll(async () => bot?.close());
  const rows = (action: string) => bot.db.prisma.auditLog.findMany({ where: { action }, orderBy: { id: 'asc' } });

  it('reliability §7.4: a bad signature or a body altered by one byte gets 401 and leaves only an audit row', async () => {
    const env = messageEnvelope({ appId: bot.sandbox.appId, token: bot.sandbox.verificationToken, from: DEMO.member.openId, chatId: bot.sandbox.p2pChatId(DEMO.member.openId), text: '/帮助' });
    const forged = signedRequest(env, bot.sandbox.encryptKey);
    const bad = await fetch(bot.webhookUrl, { method: 'POST', body: forged.body, headers: { ...forged.headers, 'x-lark-signature': 'ab'.repeat(32) } });
    expect(bad.status).toBe(401);
    const altered = signedRequest(env, bot.sandbox.encryptKey);
    expect((await fetch(bot.webhookUrl, { method: 'POST', body: altered.body.replace('"}', ' "}'), headers: altered.headers })).status).toBe(401);
    const audited = await until('two audit rows', async () => {
      const r = await rows('webhook.reject');
      return r.length === 2 ? r : undefined;
    });
    expect(audited.map((r) => [r.actorId, r.result, (r.detail as { reason: string }).reason])).toEqual([
      ['webhook', 'deny', 'bad signature'],
      ['webhook', 'deny', 'bad signature'],
    ]);
    await settled(bot);
    expect(await bot.db.prisma.inboundEvent.count()).toBe(0);
    expect(bot.sandbox.sent()).toHaveLength(0);
  });

  it('a refused withdrawal and edit of someone else\'s report are audited as deny', async () => {
    const ob = await bot.db.prisma.obligation.findFirstOrThrow({ where: { person: { larkOpenId: DEMO.secretary.openId } } });
    const secretary = await bot.db.prisma.person.findFirstOrThrow({ where: { larkOpenId: DEMO.secretary.openId } });
    const report = await bot.db.prisma.report.create({ data: { obligationId: ob.id, personId: secretary.id, text: '已完成', sourceKey: 'test:audit-report', fields: {} } });
    // Clicks forged onto a card the member really has (their /帮助 answer).
    const asked = await bot.sandbox.userSends({ from: DEMO.member.openId, text: '/帮助' });
    const { messageId } = await bot.sandbox.waitFor((m) => m.parentId === asked);
    await bot.sandbox.userClicks({ from: DEMO.member.openId, messageId, value: { action: 'report.withdraw', reportId: report.id } });
    await bot.sandbox.waitFor((m) => m.parentId === messageId && JSON.stringify(m.content).includes('只有提交报告的本人可以撤回'), 10_000);
    await bot.sandbox.userClicks({ from: DEMO.member.openId, messageId, value: { action: 'report.edit', reportId: report.id } });
    await bot.sandbox.waitFor((m) => m.parentId === messageId && JSON.stringify(m.content).includes('只有提交报告的本人可以修改'), 10_000);
    await settled(bot);
    expect((await rows('report.withdraw')).map((r) => [r.actorId, r.result, (r.detail as { code: string }).code])).toEqual([[DEMO.member.openId, 'deny', 'forbidden']]);
    expect((await rows('report.edit')).map((r) => [r.actorId, r.result])).toEqual([[DEMO.member.openId, 'deny']]);
    expect((await bot.db.prisma.report.findUniqueOrThrow({ where: { id: report.id } })).withdrawnAt).toBeNull();
  });

  it('a command that crashes (Lark failing its reply) is audited as error, then ok when the retry answers', async () => {
    bot.sandbox.failNext('im.v1.message.reply', 4, { status: 500, code: 0, msg: 'internal error' });
    const id = await bot.sandbox.userSends({ from: DEMO.member.openId, text: '/帮助' });
    await bot.sandbox.waitFor((m) => m.parentId === id, 20_000);
    await settled(bot, 20_000);
    const mine = (await rows('command:help')).filter((r) => (r.detail as { messageId: string }).messageId === id);
    expect(mine.map((r) => [r.result, (r.detail as { code?: string }).code ?? null])).toEqual([
      ['error', 'lark_server_error'],
      ['ok', null],
    ]);
  });

  it('the audit table is append-only in the database: UPDATE, DELETE and TRUNCATE are refused', async () => {
    const [row] = await rows('command:help');
    await expect(bot.db.prisma.auditLog.update({ where: { id: row!.id }, data: { result: 'ok', actorId: 'someone-else' } })).rejects.toThrow(/append-only/);
    await expect(bot.db.prisma.auditLog.deleteMany({})).rejects.toThrow(/append-only/);
    await expect(bot.db.prisma.$executeRawUnsafe('TRUNCATE "AuditLog"')).rejects.toThrow(/append-only/);
    expect((await bot.db.prisma.auditLog.findUniqueOrThrow({ where: { id: row!.id } })).actorId).toBe(row!.actorId);
  });
});

describe('transport and infrastructure refusals', () => {
  let bot: TestBot;
  beforeAll(async () => {
    bot = await startTestBot({ sandbox: { users: [{ openId: USER, name: '张三' }] } });
  });
  afterAll(async () => bot?.close());

  it('reliability §7.5: without an Encrypt Key the bot refuses to start in webhook mode, and an unsigned event is refused', async () => {
    expect(() => loadConfig({ LARK_APP_ID: 'cli_x', LARK_APP_SECRET: 's', LARK_EVENT_MODE: 'webhook', DATABASE_URL: 'postgresql://x@127.0.0.1/x' })).toThrow(/LARK_ENCRYPT_KEY is required/);
    const log = silentLogger;
    const seen: string[] = [];
    const handler = createWebhookHandler({ encryptKey: 'k', intake: { accept: async () => ({ status: 'queued', answer: {} }) } as never, log, onReject: (r) => seen.push(r) });
    const server = http.createServer(handler);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
      const env = messageEnvelope({ appId: 'cli_x', token: 't', from: USER, chatId: 'oc_x', text: '/帮助' });
      const res = await fetch(url, { method: 'POST', body: JSON.stringify(env), headers: { 'content-type': 'application/json' } });
      expect(res.status).toBe(401);
      expect(seen).toEqual(['unsigned request']);
    } finally {
      server.close();
    }
  });

  it('reliability §7.8: a correctly signed body whose encrypt field cannot be decrypted gets 400 and nothing is stored', async () => {
    const body = JSON.stringify({ encrypt: Buffer.alloc(48, 7).toString('base64') });
    const ts = String(Math.floor(Date.now() / 1000));
    const headers = { 'content-type': 'application/json', 'x-lark-request-timestamp': ts, 'x-lark-request-nonce': 'n1', 'x-lark-signature': larkSignature(ts, 'n1', bot.sandbox.encryptKey, body) };
    const res = await fetch(bot.webhookUrl, { method: 'POST', body, headers });
    expect(res.status).toBe(400);
    // The bot still answers afterwards.
    const id = await bot.sandbox.userSends({ from: USER, text: '/帮助' });
    await bot.sandbox.waitFor((m) => m.parentId === id);
    expect(await bot.db.prisma.inboundEvent.count({ where: { dedupeKey: { not: `msg:${id}` } } })).toBe(0);
  });

  it('reliability §7.2: the same message delivered again 7 h later, to a restarted bot, has no second effect', async () => {
    bot.sandbox.setDelivery({ mode: 'none' });
    const messageId = await bot.sandbox.userSends({ from: USER, text: '/帮助' });
    const env = messageEnvelope({ appId: bot.sandbox.appId, token: bot.sandbox.verificationToken, from: USER, chatId: bot.sandbox.p2pChatId(USER), text: '/帮助', messageId });
    const first = signedRequest(env, bot.sandbox.encryptKey);
    expect((await fetch(bot.webhookUrl, { method: 'POST', body: first.body, headers: first.headers })).status).toBe(200);
    await bot.sandbox.waitFor((m) => m.parentId === messageId);
    await settled(bot);
    await bot.app.close();

    // A new process (nothing in memory), its clock 7 hours on, on the same database.
    const config = loadConfig({ ...sandboxBotEnv(bot.sandbox, bot.db.url), PORT: '0' });
    const later = await startApp({ config, databaseUrl: bot.db.url, log: silentLogger, clock: () => new Date(Date.now() + 7 * 3600_000), queueName: `e2e-later-${Date.now()}`, reminderCron: false });
    try {
      const again = signedRequest({ ...env, header: { ...env.header, event_id: `redelivered-${env.header.event_id}` } }, bot.sandbox.encryptKey);
      const res = await fetch(`http://127.0.0.1:${later.port}/lark/events`, { method: 'POST', body: again.body, headers: again.headers });
      expect(res.status).toBe(200);
      await until('the restarted bot to settle', async () => {
        const c = await later.deps.queue.queue.getJobCounts('waiting', 'active', 'prioritized');
        return Object.values(c).every((n) => n === 0) && (await bot.db.prisma.inboundEvent.count({ where: { status: 'RECEIVED' } })) === 0;
      });
      expect(await bot.db.prisma.inboundEvent.count({ where: { dedupeKey: `msg:${messageId}` } })).toBe(1);
      expect(bot.sandbox.sent().filter((m) => m.parentId === messageId)).toHaveLength(1);
    } finally {
      await later.close(2000);
    }
  });

  it('reliability §7.16: a Redis with maxmemory-policy allkeys-lru makes the start fail, naming the fix', async () => {
    const port = 16412;
    const dir = mkdtempSync(join(tmpdir(), 'redis-lru-'));
    execFileSync('redis-server', ['--daemonize', 'yes', '--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no', '--dir', dir, '--maxmemory-policy', 'allkeys-lru']);
    try {
      await until('the LRU Redis to answer', async () => {
        const r = new Redis(`redis://127.0.0.1:${port}`, { lazyConnect: true, maxRetriesPerRequest: 0 });
        r.on('error', () => {});
        const ok = await r.connect().then(() => r.ping()).catch(() => null);
        r.disconnect();
        return ok === 'PONG';
      });
      const backend = redisBackend(`redis://127.0.0.1:${port}`);
      await expect(backend.check()).rejects.toThrow(/maxmemory-policy is allkeys-lru; it must be noeviction/);
      await backend.close();
    } finally {
      execFileSync('redis-cli', ['-p', String(port), 'shutdown', 'nosave']);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
