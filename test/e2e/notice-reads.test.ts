// Read receipts at scale (issue 6): reads arrive pushed as im.message.message_read_v1; the read_users
// fallback asks only about cards not yet known to be read, younger than 7 days, in a background job
// paced under Lark's 1000/min for that API, once per notice per ten minutes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, DEMO_USERS, seedDistrict } from '../helpers/district.js';
import { botReply, settled, signedRequest, startTestBot, until, type TestBot } from '../helpers/bot.js';
import { submitNoticeForm } from '../helpers/notices.js';

describe('notice read receipts for many recipients', () => {
  let bot: TestBot;
  let now = new Date('2026-11-25T10:00:00+08:00');
  const od = DEMO.odStaff.openId;
  const TITLE = '关于做好年终党建考核准备工作的通知';
  const EXTRA = 120;
  let noticeId = 0;
  let cards: { personId: number; openId: string; messageId: string }[] = [];

  beforeAll(async () => {
    bot = await startTestBot({ mode: 'webhook', clock: () => now, sandbox: { users: DEMO_USERS } });
    await seedDistrict(bot.db.prisma, 2026, new Date('2026-10-20T09:00:00+08:00'));
    const db = bot.db.prisma;
    const sec = await db.person.findUniqueOrThrow({ where: { code: DEMO.secretary.code } });
    await db.person.createMany({
      data: Array.from({ length: EXTRA }, (_, i) => ({ code: `PR${i}`, name: `工作人员${i}`, unitId: sec.unitId, role: 'STAFF' as const, larkOpenId: `ou_reads_${i}` })),
    });
    for (const p of await db.person.findMany({ where: { larkOpenId: { not: null } } })) {
      if (!DEMO_USERS.some((u) => u.openId === p.larkOpenId)) bot.sandbox.addUser({ openId: p.larkOpenId!, name: p.name });
    }
  });
  afterAll(async () => bot?.close());

  const reply = (from: string, text: string) => botReply(bot, from, text);
  const readCount = () => bot.db.prisma.noticeRecipient.count({ where: { noticeId, readAt: { not: null } } });
  const readUsersCalls = () => bot.sandbox.stats().requests['im.v1.message.readUsers'] ?? 0;
  /** Lark pushing im.message.message_read_v1 to the bot's webhook, signed. */
  async function pushRead(readerOpenId: string, messageIds: string[], eventId = `read-${readerOpenId}-${messageIds.join('-')}`) {
    const envelope = {
      schema: '2.0',
      header: { event_id: eventId, event_type: 'im.message.message_read_v1', create_time: String(Date.now()), token: bot.sandbox.verificationToken, app_id: bot.sandbox.appId, tenant_key: 'sandbox-tenant' },
      event: { reader: { reader_id: { open_id: readerOpenId }, read_time: String(now.getTime() + 60_000), tenant_key: 'sandbox-tenant' }, message_id_list: messageIds },
    };
    const req = signedRequest(envelope, bot.sandbox.encryptKey);
    const res = await fetch(bot.webhookUrl, { method: 'POST', headers: req.headers, body: req.body });
    expect(res.status).toBe(200);
  }

  it('sends the notice to every staff member of the unit', async () => {
    const sec = await bot.db.prisma.person.findUniqueOrThrow({ where: { code: DEMO.secretary.code }, include: { unit: true } });
    const { preview } = await submitNoticeForm(bot, od, { title: TITLE, body: '请各单位做好年终考核准备。', scope: 'UNITS', units: sec.unit.name, role: 'STAFF', ack: 'yes' });
    noticeId = (await bot.db.prisma.notice.findFirstOrThrow({ where: { title: TITLE } })).id;
    await bot.sandbox.userClicks({ from: od, messageId: preview.messageId, value: { action: 'notice.confirm', noticeId } });
    const total = await bot.db.prisma.noticeRecipient.count({ where: { noticeId } });
    expect(total).toBeGreaterThan(EXTRA);
    await until('every card to be sent', async () => (await bot.db.prisma.noticeRecipient.count({ where: { noticeId, status: 'SENT' } })) === total, 30_000);
    const rows = await bot.db.prisma.noticeRecipient.findMany({ where: { noticeId }, include: { person: true }, orderBy: { id: 'asc' } });
    cards = rows.map((r) => ({ personId: r.personId, openId: r.person.larkOpenId!, messageId: r.messageId! }));
  });

  it('records reads pushed by Lark (message_read_v1) without asking read_users, only for the reader’s own card', async () => {
    const pushed = cards.slice(0, 10);
    for (const c of pushed.slice(1)) await pushRead(c.openId, [c.messageId]);
    // One event naming the reader's card and someone else's: only the reader's counts. A redelivery changes nothing.
    await pushRead(pushed[0]!.openId, [pushed[0]!.messageId, cards[10]!.messageId], 'read-batch');
    await pushRead(pushed[0]!.openId, [pushed[0]!.messageId, cards[10]!.messageId], 'read-batch');
    await until('the pushed reads to be stored', async () => (await readCount()) === 10);
    await settled(bot); // the redelivered event handled too: it must change nothing
    const read = await bot.db.prisma.noticeRecipient.findMany({ where: { noticeId, readAt: { not: null } } });
    expect(read.map((r) => r.personId).sort()).toEqual(pushed.map((c) => c.personId).sort());
    expect(read.every((r) => r.readAt!.getTime() === now.getTime() + 60_000)).toBe(true);
    expect(readUsersCalls()).toBe(0);
  });

  it('checks the other unread cards in a paced background job, and says so on the status card', async () => {
    // Fifteen more open their chat with the bot (read in Lark, no event reaches the bot).
    const opened = cards.slice(10, 25);
    for (const c of opened) {
      const chatId = bot.sandbox.p2pChatId(c.openId);
      await fetch(`${bot.sandbox.pageUrl}api/chat?chatId=${encodeURIComponent(chatId)}&viewer=${encodeURIComponent(c.openId)}`);
    }
    const unread = cards.length - 10;
    const started = Date.now();
    const status = JSON.stringify((await reply(od, `/通知 状态 ${noticeId}`)).content);
    expect(status).toContain('已读 10，');
    expect(status).toContain(`另有 ${unread} 份通知尚未确认已读，已在后台向飞书核对（每10分钟最多一次）`);
    await until('read_users asked about every unread card', () => readUsersCalls() === unread, 30_000);
    const seconds = (Date.now() - started) / 1000;
    await until('the reads found to be stored', async () => (await readCount()) === 25, 30_000);
    // Each unread card asked about once, none already known, paced: at most 16 a second, no 429.
    expect(readUsersCalls()).toBe(unread);
    expect(seconds).toBeGreaterThanOrEqual((unread - 1) / 16);
    expect(bot.sandbox.stats().rateLimited).toBe(0);

    // Asked again within ten minutes: the same check serves, nothing is asked twice.
    const again = JSON.stringify((await reply(od, `/通知 状态 ${noticeId}`)).content);
    expect(again).toContain('已读 25，');
    expect(again).toContain(`另有 ${cards.length - 25} 份通知尚未确认已读`);
    await settled(bot); // no check job queued or running
    expect(readUsersCalls()).toBe(unread);
  });

  it('asks nothing about cards older than 7 days, and says why', async () => {
    now = new Date('2026-12-03T10:00:00+08:00');
    const status = JSON.stringify((await reply(od, `/通知 状态 ${noticeId}`)).content);
    expect(status).toContain('已读 25，');
    expect(status).toContain('通知发出已超过7天，飞书不再提供已读查询');
    await settled(bot);
    expect(readUsersCalls()).toBe(cards.length - 10);
  });
});
