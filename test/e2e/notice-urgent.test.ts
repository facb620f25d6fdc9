// Urgent push (加急) on notice chases (issue 6): with urgent push on, 催办 after a notice's feedback
// deadline buzzes each non-acknowledger's chase message once, through Lark's urgent_app; before the
// deadline it does not, and the OD is told which it was. Refusals are recorded and never retried.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { urgentUuid } from '../../src/notices/urgent.js';
import { DEMO, DEMO_USERS, seedDistrict } from '../helpers/district.js';
import { botReply, settled, startTestBot, until, type TestBot } from '../helpers/bot.js';
import { submitNoticeForm } from '../helpers/notices.js';

describe('notice chase with urgent push (加急)', () => {
  let bot: TestBot;
  let now = new Date('2026-11-25T10:00:00+08:00');
  const od = DEMO.odStaff.openId;
  const TITLE = '关于报送基层党建述职材料的通知';
  let noticeId = 0;
  let recipients: { id: number; name: string; openId: string }[] = [];

  beforeAll(async () => {
    bot = await startTestBot({ mode: 'webhook', clock: () => now, sandbox: { users: DEMO_USERS }, env: { URGENT_AFTER_WORKING_DAYS: '1' } });
    await seedDistrict(bot.db.prisma, 2026, new Date('2026-10-20T09:00:00+08:00'));
    const db = bot.db.prisma;
    for (const p of await db.person.findMany({ where: { larkOpenId: { not: null } } })) {
      if (!DEMO_USERS.some((u) => u.openId === p.larkOpenId)) bot.sandbox.addUser({ openId: p.larkOpenId!, name: p.name });
    }
    const sec = await db.person.findUniqueOrThrow({ where: { code: DEMO.secretary.code } });
    const people = await db.person.findMany({ where: { unitId: sec.unitId, active: true, role: { in: ['SECRETARY', 'DEPUTY', 'MEMBER'] } }, orderBy: { id: 'asc' } });
    recipients = people.filter((p) => p.larkOpenId).map((p) => ({ id: p.id, name: p.name, openId: p.larkOpenId! }));
  });
  afterAll(async () => bot?.close());

  const reply = (from: string, text: string) => botReply(bot, from, text);
  const buzzes = () => bot.sandbox.sent().filter((m) => m.kind === 'urgent');
  const urgentCalls = () => bot.sandbox.stats().requests['im.v1.message.urgentApp'] ?? 0;
  const chase = async (id: number) => {
    const status = await reply(od, `/通知 状态 ${id}`);
    await bot.sandbox.userClicks({ from: od, messageId: status.messageId, value: { action: 'notice.chase', noticeId: id } });
    const answer = await bot.sandbox.waitFor((m) => m.parentId === status.messageId && typeof m.content?.text === 'string');
    return { status: JSON.stringify(status.content), answer: answer.content.text as string };
  };

  /** Compose and confirm a notice to the secretary's unit leadership, due 2026-11-27; returns its id once every card is out. */
  async function publish(title: string): Promise<number> {
    const sec = await bot.db.prisma.person.findUniqueOrThrow({ where: { code: DEMO.secretary.code }, include: { unit: true } });
    const { preview } = await submitNoticeForm(bot, od, { title, body: '请于11月27日前报送述职材料。', scope: 'UNITS', units: sec.unit.name, role: 'LEADERSHIP', feedbackDue: '2026-11-27 +0800', ack: 'yes' });
    const id = (await bot.db.prisma.notice.findFirstOrThrow({ where: { title } })).id;
    await bot.sandbox.userClicks({ from: od, messageId: preview.messageId, value: { action: 'notice.confirm', noticeId: id } });
    await until('every notice card to be sent', async () => (await bot.db.prisma.noticeRecipient.count({ where: { noticeId: id, status: 'SENT' } })) === recipients.length);
    return id;
  }
  const urgentRows = (id: number) =>
    bot.db.prisma.outboundMessage.findMany({ where: { purpose: 'notice-urgent', uuid: { in: recipients.map((r) => urgentUuid(id, r.id)) } } });
  let second = 0;

  it('does not buzz before the feedback deadline, and says so', async () => {
    expect(recipients.length).toBeGreaterThanOrEqual(3); // one acknowledges, one leaves, the rest are buzzed
    noticeId = await publish(TITLE);
    second = await publish(`${TITLE}（二）`);
    const card = bot.sandbox.sent().find((m) => m.toOpenId === recipients[0]!.openId && JSON.stringify(m.content).includes(`"${TITLE}"`))!;
    await bot.sandbox.userClicks({ from: recipients[0]!.openId, messageId: card.messageId, value: { action: 'notice.ack', noticeId } });
    await until('the acknowledgement to be stored', async () => (await bot.db.prisma.noticeRecipient.count({ where: { noticeId, ackAt: { not: null } } })) === 1);

    const { status, answer } = await chase(noticeId);
    expect(status).toContain('催办不使用飞书加急：反馈截止日期（2026-11-27）过后催办才会加急。');
    expect(answer).toBe(`已向 ${recipients.length - 1} 位未回执的收件人发送催办提醒。未使用飞书加急：反馈截止日期（2026-11-27）过后催办才会加急。`);
    await until('the chases to be sent', async () => (await bot.db.prisma.noticeRecipient.count({ where: { noticeId, chasedAt: { not: null } } })) === recipients.length - 1);
    await settled(bot); // nothing left that could still buzz
    expect(buzzes()).toHaveLength(0);
    expect(urgentCalls()).toBe(0);
  });

  it('after the deadline buzzes each non-acknowledger once, on their own chase message; a user who left is recorded as invalid', async () => {
    now = new Date('2026-11-30T10:00:00+08:00');
    const targets = recipients.slice(1);
    const left = targets.at(-1)!;
    bot.sandbox.addUser({ openId: left.openId, name: left.name, status: 'resigned' });

    const { status, answer } = await chase(noticeId);
    expect(status).toContain('已过反馈截止日期（2026-11-27），催办将同时使用飞书加急。');
    expect(answer).toBe(`这 ${targets.length} 人已经催办过，不再重复发送提醒。已过反馈截止日期（2026-11-27），同时对 ${targets.length} 人使用飞书加急。`);

    await until('every buzz to be answered', async () => (await urgentRows(noticeId)).filter((r) => r.status !== 'SENDING').length === targets.length);
    const rows = await urgentRows(noticeId);
    expect(rows.filter((r) => r.status === 'SENT')).toHaveLength(targets.length - 1);
    expect(rows.filter((r) => r.status === 'FAILED').map((r) => [r.uuid, r.errorCode])).toEqual([[urgentUuid(noticeId, left.id), 'invalid_user']]);
    const chaseOf = new Map(bot.sandbox.sent().filter((m) => m.kind === 'create' && JSON.stringify(m.content).includes('通知回执提醒')).map((m) => [m.toOpenId, m.messageId]));
    const buzzed = buzzes();
    expect(buzzed.map((b) => b.toOpenId).sort()).toEqual(targets.slice(0, -1).map((t) => t.openId).sort());
    for (const b of buzzed) expect(b.messageId).toBe(chaseOf.get(b.toOpenId));
    expect(urgentCalls()).toBe(targets.length);

    // Again: nothing new is sent or buzzed, and the status shows who was buzzed.
    const again = await chase(noticeId);
    expect(again.answer).toBe(`这 ${targets.length} 人已经催办过，不再重复发送提醒。已过反馈截止日期（2026-11-27），未回执的人均已加急过，不再重复加急。`);
    expect(again.status).toContain(`已加急 ${targets.length - 1}`);
    await settled(bot); // the second chase handled: it must have buzzed no one
    expect(urgentCalls()).toBe(targets.length);
    expect(buzzes()).toHaveLength(targets.length - 1);
  });

  it('a refusal (such as the 200-unread-urgent limit) is recorded and not retried; a server error is retried once', async () => {
    const before = urgentCalls();
    const reachable = recipients.length - 1; // the one who left gets no chase card, hence no buzz
    bot.sandbox.failNext('im.v1.message.urgentApp', 1, { status: 400, code: 230024, msg: 'Reach the upper limit of urgent message.' });
    bot.sandbox.failNext('im.v1.message.urgentApp', 1, { status: 500, code: 1, msg: 'internal error' });
    const { answer } = await chase(second);
    expect(answer).toBe(`已向 ${recipients.length} 位未回执的收件人发送催办提醒。已过反馈截止日期（2026-11-27），同时对 ${recipients.length} 人使用飞书加急。`);
    await until('every buzz to be answered', async () => (await urgentRows(second)).filter((r) => r.status !== 'SENDING').length === reachable);
    const rows = await urgentRows(second);
    expect(rows.filter((r) => r.status === 'SENT')).toHaveLength(reachable - 1);
    expect(rows.filter((r) => r.status === 'FAILED').map((r) => r.errorCode)).toEqual(['bad_request:230024']);
    expect(urgentCalls() - before).toBe(reachable + 1);
    await chase(second);
    await settled(bot);
    expect(urgentCalls() - before).toBe(reachable + 1);
  });
});
