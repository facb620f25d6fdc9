// The failure paths that used to lose or hide work (issue 12), each against the whole bot on real
// parts: PostgreSQL, Redis, and the Lark sandbox through the real SDK.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { redisUrl, settled, startTestBot, until, type TestBot } from '../helpers/bot.js';

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

describe('Redis losing its data under a running bot', () => {
  let bot: TestBot;
  beforeAll(async () => {
    // The reminder cron ticks every second here (every 5 minutes in production); the clock runs a
    // minute ahead so that recover-inbound sees a stored event as old enough to re-queue at once.
    bot = await startTestBot({
      sandbox: { users: [{ openId: USER, name: '张三' }] },
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
    await redis.flushdb(); // this test run's own Redis (REDIS_URL), never a shared one
    await redis.quit();
    expect(await q.getJobScheduler('recover-inbound')).toBeFalsy();

    const reply = await bot.sandbox.waitFor((m) => m.parentId === id, 20_000);
    expect(JSON.stringify(reply.content)).toContain('/帮助');
    await settled(bot);
    expect(bot.sandbox.sent().filter((m) => m.parentId === id)).toHaveLength(1);
    expect(await q.getJobScheduler('recover-inbound')).toBeTruthy();
    const schedulers = await q.getJobSchedulers();
    expect(schedulers.filter((s) => s.key === 'recover-inbound')).toHaveLength(1);
    expect((await q.getDelayed()).filter((j) => String(j.id).startsWith('repeat:recover-inbound'))).toHaveLength(1);
  });
});
