import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { confirmNotice } from '../../src/notices/service.js';
import { DEMO, DEMO_USERS, seedDistrict } from '../helpers/district.js';
import { botReply, settled, startTestBot, until, type TestBot } from '../helpers/bot.js';
import { submitNoticeForm } from '../helpers/notices.js';

describe('notices (通知)', () => {
  let bot: TestBot;
  const now = new Date('2026-11-25T10:00:00+08:00');
  const od = DEMO.odStaff.openId;
  const RESIGNED = 'ou_notice_resigned';
  const TITLE = '关于开展党建责任制专项检查的通知';
  let noticeId = 0;
  let expected: { id: number; name: string; openId: string }[] = [];

  beforeAll(async () => {
    bot = await startTestBot({ mode: 'webhook', clock: () => now, sandbox: { users: DEMO_USERS } });
    await seedDistrict(bot.db.prisma, 2026, new Date('2026-10-20T09:00:00+08:00'));
    const db = bot.db.prisma;
    const sec = await db.person.findUniqueOrThrow({ where: { code: DEMO.secretary.code } });
    // A leader of the same unit who has left: in the roster, resigned in Lark.
    await db.person.create({ data: { code: 'PX999', name: '离职人员', unitId: sec.unitId, role: 'MEMBER', larkOpenId: RESIGNED } });
    bot.sandbox.addUser({ openId: RESIGNED, name: '离职人员', status: 'resigned' });
    // Everyone else in the roster can receive messages.
    for (const p of await db.person.findMany({ where: { larkOpenId: { not: null }, NOT: { larkOpenId: RESIGNED } } })) {
      if (!DEMO_USERS.some((u) => u.openId === p.larkOpenId)) bot.sandbox.addUser({ openId: p.larkOpenId!, name: p.name });
    }
    const people = await db.person.findMany({ where: { unitId: sec.unitId, active: true, role: { in: ['SECRETARY', 'DEPUTY', 'MEMBER'] }, NOT: { larkOpenId: RESIGNED } } });
    expected = people.filter((p) => p.larkOpenId).map((p) => ({ id: p.id, name: p.name, openId: p.larkOpenId! }));
  });
  afterAll(async () => bot?.close());

  const reply = (from: string, text: string) => botReply(bot, from, text);
  const noticeCards = () => bot.sandbox.sent().filter((m) => m.kind === 'create' && JSON.stringify(m.content).includes(TITLE) && !JSON.stringify(m.content).includes('回执提醒'));
  const chaseCards = () => bot.sandbox.sent().filter((m) => m.kind === 'create' && JSON.stringify(m.content).includes('通知回执提醒'));

  it('reliability §7.22: refuses someone outside the OD with one line and an audit row', async () => {
    const answer = await reply(DEMO.secretary.openId, '/通知');
    expect(answer.content.text).toBe('只有区委组织部工作人员可以发布通知。');
    const rows = await bot.db.prisma.auditLog.findMany({ where: { actorId: DEMO.secretary.openId, action: 'command:notice' } });
    expect(rows.map((r) => r.result)).toEqual(['deny']);
  });

  it('reliability §7.23: sends a notice to the chosen audience exactly once, even when confirmed twice, and reports the unreachable', async () => {
    expect(expected.length).toBeGreaterThanOrEqual(3); // two acknowledge, one only reads, the rest do neither
    const sec = await bot.db.prisma.person.findUniqueOrThrow({ where: { code: DEMO.secretary.code }, include: { unit: true } });
    const { form, preview } = await submitNoticeForm(bot, od, { title: TITLE, body: '请各单位于12月5日前完成自查。', scope: 'UNITS', units: sec.unit.name, role: 'LEADERSHIP', ack: 'yes' });
    expect(JSON.stringify(form.content)).toContain('notice_form');
    const notice = await bot.db.prisma.notice.findFirstOrThrow({ where: { title: TITLE } });
    noticeId = notice.id;
    expect(notice.status).toBe('DRAFT');
    expect(JSON.stringify(preview.content)).toContain(`收件人：**${expected.length + 1} 人**`);
    expect(noticeCards()).toHaveLength(0);

    // A double click, plus a second confirmation racing it.
    const click = () => bot.sandbox.userClicks({ from: od, messageId: preview.messageId, value: { action: 'notice.confirm', noticeId } });
    const [, , direct] = await Promise.all([click(), click(), confirmNotice(bot.app.deps, noticeId)]);
    await until('every card to be sent', async () => (await bot.db.prisma.noticeRecipient.count({ where: { noticeId, status: 'PENDING' } })) === 0);
    await settled(bot); // the racing confirmations handled too: a second card would be counted below

    const cards = noticeCards();
    expect(cards.map((c) => c.toOpenId).sort()).toEqual(expected.map((p) => p.openId).sort());
    expect(new Set(cards.map((c) => c.uuid)).size).toBe(cards.length);
    const rows = await bot.db.prisma.noticeRecipient.findMany({ where: { noticeId }, include: { person: true } });
    expect(rows.filter((r) => r.status === 'SENT').map((r) => r.personId).sort()).toEqual(expected.map((p) => p.id).sort());
    const failed = rows.filter((r) => r.status === 'FAILED');
    expect(failed.map((r) => r.person.larkOpenId)).toEqual([RESIGNED]);
    expect(failed[0]!.errorCode).toContain('230029');
    // Confirmed once: only one of the three callers flipped the notice.
    const confirms = await bot.db.prisma.auditLog.findMany({ where: { action: 'notice.confirm', actorId: od } });
    const firsts = confirms.filter((c) => (c.detail as { first?: boolean }).first).length + (direct.first ? 1 : 0);
    expect(firsts).toBe(1);
    // No job retried the resigned user.
    expect(bot.sandbox.stats().duplicateUuids).toBe(0);
  });

  it('counts acknowledgements once and reads from read_users, lists the failed and who has not acknowledged', async () => {
    const [a, b, c] = expected;
    const cardOf = (openId: string) => noticeCards().find((m) => m.toOpenId === openId)!;
    const ack = (openId: string) => bot.sandbox.userClicks({ from: openId, messageId: cardOf(openId).messageId, value: { action: 'notice.ack', noticeId } });
    await ack(a!.openId);
    await ack(a!.openId);
    await ack(b!.openId);
    const acked = 2;
    await until('the acknowledgements to be stored', async () => (await bot.db.prisma.noticeRecipient.count({ where: { noticeId, ackAt: { not: null } } })) === acked);
    await settled(bot);
    expect(await bot.db.prisma.noticeRecipient.count({ where: { noticeId, ackAt: { not: null } } })).toBe(acked);
    // c opens the chat (reads the card) without acknowledging.
    await reply(c!.openId, '好的');

    const status = await reply(od, `/通知 状态 ${noticeId}`);
    const shown = JSON.stringify(status.content);
    expect(shown).toContain(`已送达 ${expected.length}`);
    expect(shown).toContain(`已回执 ${acked}`);
    expect(shown).toContain(`已读 ${acked + 1}`);
    expect(shown).toContain('失败 1');
    expect(shown).toContain('离职人员：已离职'); // the reason in Chinese, not lark_unreachable_target:230029
    expect(shown).not.toContain('230029');
    expect(shown).toContain('催办');
    // 送达 / 已读 / 已回执 per unit, as the database has them.
    const rows = await bot.db.prisma.noticeRecipient.findMany({ where: { noticeId }, include: { person: { include: { unit: true } } } });
    for (const unit of new Set(rows.map((r) => r.person.unit.name))) {
      const of = rows.filter((r) => r.person.unit.name === unit);
      const delivered = of.filter((r) => r.status === 'SENT');
      expect(shown).toContain(`${unit}：送达 ${delivered.length}/${of.length}，已读 ${delivered.filter((r) => r.readAt).length}，已回执 ${of.filter((r) => r.ackAt).length}`);
    }
    for (const p of expected.slice(acked)) expect(shown).toContain(p.name);
    expect(shown).not.toContain(a!.name);
  });

  it('chases only the non-acknowledgers, once however often 催办 is clicked', async () => {
    const status = await reply(od, `/通知 状态 ${noticeId}`);
    const chase = () => bot.sandbox.userClicks({ from: od, messageId: status.messageId, value: { action: 'notice.chase', noticeId } });
    await chase();
    const open = await bot.db.prisma.noticeRecipient.findMany({ where: { noticeId, status: 'SENT', ackAt: null }, include: { person: true } });
    // No feedback deadline: no urgent push, and the OD is told so.
    expect(JSON.stringify(status.content)).toContain('催办不使用飞书加急：该通知没有反馈截止日期。');
    const answer = await bot.sandbox.waitFor((m) => m.parentId === status.messageId && typeof m.content?.text === 'string');
    expect(answer.content.text).toBe(`已向 ${open.length} 位未回执的收件人发送催办提醒。未使用飞书加急：该通知没有反馈截止日期。`);
    await until('the chase cards', () => chaseCards().length === open.length);
    await chase();
    await settled(bot); // the second chase handled: it must have sent nothing
    expect(chaseCards().map((m) => m.toOpenId).sort()).toEqual(open.map((r) => r.person.larkOpenId).sort());
    expect(await bot.db.prisma.noticeRecipient.count({ where: { noticeId, chasedAt: { not: null } } })).toBe(open.length);
    expect(bot.sandbox.sent().filter((m) => m.kind === 'urgent')).toHaveLength(0);
  });

  it('refuses a confirm or chase from someone outside the OD, audited as deny', async () => {
    // A recipient who has not acknowledged (an acknowledged card is used: a click on it only gets a toast).
    const open = await bot.db.prisma.noticeRecipient.findMany({ where: { noticeId, ackAt: null, status: 'SENT' }, include: { person: true } });
    const cardMsg = noticeCards().find((m) => open.some((r) => r.person.larkOpenId === m.toOpenId))!;
    await bot.sandbox.userClicks({ from: cardMsg.toOpenId!, messageId: cardMsg.messageId, value: { action: 'notice.chase', noticeId } });
    await bot.sandbox.waitFor((m) => m.parentId === cardMsg.messageId && m.content?.text === '只有区委组织部工作人员可以发布通知。');
    const rows = await bot.db.prisma.auditLog.findMany({ where: { actorId: cardMsg.toOpenId!, action: 'notice.chase' } });
    expect(rows.map((r) => r.result)).toEqual(['deny']);
  });
});
