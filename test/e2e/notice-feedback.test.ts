// Feedback notices (载体活动, issue 6): a notice with a 反馈截止日期 creates, on confirmation, one
// THEMATIC_ACTIVITY obligation per recipient unit, which is reminded, answered and counted like any duty.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planNoticeFeedback } from '../../src/domain/notices/feedback.js';
import { confirmNotice } from '../../src/notices/service.js';
import { generateObligations } from '../../src/obligations/generate.js';
import { runReminderTick } from '../../src/reminders/tick.js';
import { DEMO, DEMO_USERS, seedDistrict } from '../helpers/district.js';
import { botReply, settled, startTestBot, until, type TestBot } from '../helpers/bot.js';
import { submitNoticeForm } from '../helpers/notices.js';

describe('planNoticeFeedback', () => {
  it('plans one obligation per active non-OD unit, owed by its secretary, due at the end of the Beijing day', () => {
    const plan = planNoticeFeedback(
      { id: 7, title: '开展主题党日', feedbackDue: new Date('2026-12-04T16:30:00Z') }, // 12-05 00:30 Beijing
      [
        { id: 3, kind: 'TOWN', people: [{ id: 31, role: 'STAFF', active: true }, { id: 30, role: 'SECRETARY', active: true }] },
        { id: 2, kind: 'DEPARTMENT', people: [{ id: 20, role: 'SECRETARY', active: false }] },
        { id: 1, kind: 'OD', people: [{ id: 10, role: 'SECRETARY', active: true }] },
        { id: 4, kind: 'TOWN', active: false, people: [] },
        { id: 3, kind: 'TOWN', people: [] },
      ],
      new Date('2026-11-25T02:00:00Z'),
    );
    expect(plan).toEqual([
      {
        ruleCode: 'THEMATIC_ACTIVITY',
        ownerKey: 'u2',
        unitId: 2,
        personId: null,
        periodKey: '2026',
        subjectKey: 'notice:7',
        title: '载体活动：开展主题党日',
        periodStart: new Date('2026-11-24T16:00:00Z'),
        dueAt: new Date('2026-12-05T15:59:59.999Z'),
        requiredCount: 1,
      },
      expect.objectContaining({ ownerKey: 'u3', unitId: 3, personId: 30 }),
    ]);
  });
});

describe('feedback notices (载体活动)', () => {
  let bot: TestBot;
  const now = new Date('2026-11-25T10:00:00+08:00');
  const od = DEMO.odStaff.openId;
  const TITLE = '关于开展“党旗飘扬”主题党日活动的通知';

  beforeAll(async () => {
    bot = await startTestBot({ mode: 'webhook', clock: () => now, sandbox: { users: DEMO_USERS } });
    await seedDistrict(bot.db.prisma, 2026, new Date('2026-10-20T09:00:00+08:00'));
    const db = bot.db.prisma;
    for (const p of await db.person.findMany({ where: { larkOpenId: { not: null } } })) {
      if (!DEMO_USERS.some((u) => u.openId === p.larkOpenId)) bot.sandbox.addUser({ openId: p.larkOpenId!, name: p.name });
    }
    // The district's calendar duties are reminded elsewhere: here only the notice's obligations are.
    await db.obligation.updateMany({ data: { remindersPlannedAt: now } });
  });
  afterAll(async () => bot?.close());

  const reply = (from: string, text: string) => botReply(bot, from, text);

  it('creates one THEMATIC_ACTIVITY obligation per recipient unit, once however often it is confirmed, and tells recipients how to report', async () => {
    const db = bot.db.prisma;
    const sec = await db.person.findUniqueOrThrow({ where: { code: DEMO.secretary.code }, include: { unit: true } });
    const other = await db.person.findUniqueOrThrow({ where: { code: DEMO.otherSecretary.code }, include: { unit: true } });
    expect(other.unitId).not.toBe(sec.unitId);
    const { form, preview } = await submitNoticeForm(bot, od, { title: TITLE, body: '请各单位开展主题党日活动并反馈开展情况。', scope: 'UNITS', units: `${sec.unit.name}，${other.unit.name}`, role: 'ANY', ack: 'yes', feedbackDue: '2026-11-27 +0800' });
    expect(JSON.stringify(form.content)).toContain('feedbackDue');
    expect(JSON.stringify(preview.content)).toContain('反馈截止：2026-11-27');
    const notice = await db.notice.findFirstOrThrow({ where: { title: TITLE } });
    expect(notice.feedbackDue).toEqual(new Date('2026-11-27T23:59:59.999+08:00'));
    expect(await db.obligation.count({ where: { subjectKey: `notice:${notice.id}` } })).toBe(0); // a draft owes nothing

    const click = () => bot.sandbox.userClicks({ from: od, messageId: preview.messageId, value: { action: 'notice.confirm', noticeId: notice.id } });
    await Promise.all([click(), click(), confirmNotice(bot.app.deps, notice.id)]);
    await until('every notice card to be sent', async () => (await db.noticeRecipient.count({ where: { noticeId: notice.id, status: 'PENDING' } })) === 0);
    await confirmNotice(bot.app.deps, notice.id);
    await settled(bot);

    const obs = await db.obligation.findMany({ where: { subjectKey: `notice:${notice.id}` }, orderBy: { unitId: 'asc' } });
    const units = [...new Set((await db.noticeRecipient.findMany({ where: { noticeId: notice.id }, include: { person: true } })).map((r) => r.person.unitId))].sort((a, b) => a - b);
    expect(units).toEqual([sec.unitId, other.unitId].sort((a, b) => a - b));
    expect(obs.map((o) => o.unitId)).toEqual(units);
    for (const o of obs) {
      expect(o).toMatchObject({ ruleCode: 'THEMATIC_ACTIVITY', ownerKey: `u${o.unitId}`, periodKey: '2026', title: `载体活动：${TITLE}`, status: 'OPEN' });
      expect(o.dueAt).toEqual(new Date('2026-11-27T23:59:59.999+08:00'));
    }
    expect(obs.find((o) => o.unitId === sec.unitId)!.personId).toBe(sec.id);
    expect(obs.find((o) => o.unitId === other.unitId)!.personId).toBe(other.id);
    // Planning the year again leaves them alone (the generator only reconciles the rules it plans).
    await generateObligations(db, { year: 2026, now, catalog: bot.app.deps.catalog.current });
    expect(await db.obligation.count({ where: { subjectKey: `notice:${notice.id}`, status: 'OPEN' } })).toBe(2);

    const card = bot.sandbox.sent().find((m) => m.kind === 'create' && m.toOpenId === DEMO.secretary.openId && JSON.stringify(m.content).includes(TITLE));
    const shown = JSON.stringify(card!.content);
    expect(shown).toContain('请于 2026-11-27 前反馈开展情况');
    expect(shown).toContain('/汇报');
  });

  it('reminds the unit of it, a reply to the reminder closes it, and /统计 counts it', async () => {
    const db = bot.db.prisma;
    const notice = await db.notice.findFirstOrThrow({ where: { title: TITLE } });
    const sec = await db.person.findUniqueOrThrow({ where: { code: DEMO.secretary.code } });
    const ob = await db.obligation.findFirstOrThrow({ where: { subjectKey: `notice:${notice.id}`, unitId: sec.unitId } });

    await runReminderTick(bot.app.deps, { now });
    await until('the reminder to be sent', async () => (await db.reminder.count({ where: { obligationId: ob.id, recipientId: sec.id, status: 'SENT' } })) > 0);
    const reminder = await db.reminder.findFirstOrThrow({ where: { obligationId: ob.id, recipientId: sec.id, status: 'SENT' } });
    const card = bot.sandbox.sent().find((m) => m.messageId === reminder.messageId)!;
    expect(JSON.stringify(card.content)).toContain(`载体活动：${TITLE}`);

    const text = await bot.sandbox.userSends({ from: DEMO.secretary.openId, parentId: reminder.messageId!, text: '11月24日开展“党旗飘扬”主题党日活动，全镇党员参加' });
    const confirm = await bot.sandbox.waitFor((m) => m.parentId === text);
    expect(JSON.stringify(confirm.content)).toContain('已记录完成情况');
    const report = await db.report.findFirstOrThrow({ where: { obligationId: ob.id } });
    expect(report.fields).toMatchObject({ activityDate: '2026-11-24' });
    expect((await db.obligation.findUniqueOrThrow({ where: { id: ob.id } })).status).toBe('DONE');

    const stats = JSON.stringify((await reply(od, '/统计')).content);
    expect(stats).toContain('上级部署的党建主题活动');
  });
  it('takes a reply to the feedback notice itself as that unit’s report, and acknowledges the notice', async () => {
    const db = bot.db.prisma;
    const notice = await db.notice.findFirstOrThrow({ where: { title: TITLE } });
    const other = await db.person.findUniqueOrThrow({ where: { code: DEMO.otherSecretary.code } });
    const ob = await db.obligation.findFirstOrThrow({ where: { subjectKey: `notice:${notice.id}`, unitId: other.unitId } });
    expect(ob.status).toBe('OPEN');
    const noticeCard = await db.noticeRecipient.findUniqueOrThrow({ where: { noticeId_personId: { noticeId: notice.id, personId: other.id } } });
    const id = await bot.sandbox.userSends({ from: DEMO.otherSecretary.openId, parentId: noticeCard.messageId!, text: '11月25日组织全体党员开展主题党日活动，重温入党誓词' });
    const confirm = await bot.sandbox.waitFor((m) => m.parentId === id);
    expect(JSON.stringify(confirm.content)).toContain('已记录完成情况');
    expect(JSON.stringify(confirm.content)).toContain(`载体活动：${TITLE}`);
    expect((await db.obligation.findUniqueOrThrow({ where: { id: ob.id } })).status).toBe('DONE');
    expect((await db.noticeRecipient.findUniqueOrThrow({ where: { id: noticeCard.id } })).ackAt).not.toBeNull();
  });

  it('counts a reply to a plain notice as 已知悉 and shows its words to the OD', async () => {
    const db = bot.db.prisma;
    const sec = await db.person.findUniqueOrThrow({ where: { code: DEMO.secretary.code }, include: { unit: true } });
    const title = '关于做好年终党建工作总结的通知';
    const { preview } = await submitNoticeForm(bot, od, { title, body: '请各单位做好总结。', scope: 'UNITS', units: sec.unit.name, role: 'SECRETARY', ack: 'yes' });
    const notice = await db.notice.findFirstOrThrow({ where: { title } });
    await bot.sandbox.userClicks({ from: od, messageId: preview.messageId, value: { action: 'notice.confirm', noticeId: notice.id } });
    await until('a notice card to be sent', async () => (await db.noticeRecipient.count({ where: { noticeId: notice.id, status: 'SENT' } })) > 0);
    const r = await db.noticeRecipient.findUniqueOrThrow({ where: { noticeId_personId: { noticeId: notice.id, personId: sec.id } } });
    const id = await bot.sandbox.userSends({ from: DEMO.secretary.openId, parentId: r.messageId!, text: '收到，本周内报送总结' });
    const answer = await bot.sandbox.waitFor((m) => m.parentId === id);
    expect(answer.content.text).toContain('记为已知悉');
    expect(answer.content.text).not.toContain('/帮助');
    const after = await db.noticeRecipient.findUniqueOrThrow({ where: { id: r.id } });
    expect(after.ackAt).not.toBeNull();
    expect(after.reply).toBe('收到，本周内报送总结');
    const status = JSON.stringify((await reply(od, `/通知 状态 ${notice.id}`)).content);
    expect(status).toContain(`${sec.unit.name} ${sec.name}：收到，本周内报送总结`);
  });
});
