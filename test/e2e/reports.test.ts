import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { button, buttons, card, md } from '../../src/cards/card.js';
import { DEMO, DEMO_USERS, seedDistrict } from '../helpers/district.js';
import { messageEnvelope, settled, signedRequest, startTestBot, until, type TestBot } from '../helpers/bot.js';

// 1x1 PNG
const PHOTO = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

describe('answers become reports', () => {
  let bot: TestBot;
  let now = new Date('2026-11-25T10:00:00+08:00');
  const sec = DEMO.secretary.openId;

  beforeAll(async () => {
    bot = await startTestBot({ mode: 'webhook', clock: () => now, sandbox: { users: DEMO_USERS }, env: { EVIDENCE_FETCH_ATTEMPTS: '2' } });
    await seedDistrict(bot.db.prisma, 2026, new Date('2026-10-20T09:00:00+08:00'));
  });
  afterAll(async () => bot?.close());

  const person = (code: string) => bot.db.prisma.person.findUniqueOrThrow({ where: { code } });
  const obligation = async (code: string, ruleCode: string, periodKey: string) => {
    const p = await person(code);
    return bot.db.prisma.obligation.findFirstOrThrow({ where: { personId: p.id, ruleCode, periodKey } });
  };

  /** A reminder as the reminder sender leaves it: a card in the person's chat and Reminder rows pointing at it. */
  async function remind(openId: string, obligationIds: number[], key: string): Promise<string> {
    const p = await bot.db.prisma.person.findFirstOrThrow({ where: { larkOpenId: openId } });
    const { messageId } = await bot.app.deps.messenger.card(
      { openId },
      card({ title: '党建责任到期提醒', elements: [md('请回复本消息汇报完成情况'), ...obligationIds.map((id) => buttons(button('填写报告', { action: 'report.open', obligationId: id })))] }),
      { purpose: 'test-reminder', key },
    );
    await bot.db.prisma.reminder.createMany({ data: obligationIds.map((obligationId) => ({ obligationId, stage: `test-${key}`, recipientId: p.id, sendOn: now, status: 'SENT' as const, messageId })) });
    return messageId;
  }

  const dutiesText = async (openId: string) => {
    const id = await bot.sandbox.userSends({ from: openId, text: '/责任清单' });
    return JSON.stringify((await bot.sandbox.waitFor((m) => m.parentId === id)).content);
  };

  it('stores a thread reply with a date and a photo as the report, confirms it, and /责任清单 drops the duty', async () => {
    const ob = await obligation(DEMO.secretary.code, 'LIAISON_VISIT_SECRETARY', '2026-11');
    expect(await dutiesText(sec)).toContain(ob.title);
    const reminder = await remind(sec, [ob.id], 'nov-visit');

    // The photo first, then the words, both as replies in the reminder's thread.
    const photo = await bot.sandbox.userSends({ from: sec, parentId: reminder, image: { bytes: PHOTO, fileName: 'visit.png' } });
    const ask = await bot.sandbox.waitFor((m) => m.parentId === photo);
    expect(ask.content.text).toContain('请再回复一段文字');
    const text = await bot.sandbox.userSends({ from: sec, parentId: reminder, text: '11月20日到东风村检查指导，发现问题：党员活动室设施陈旧；帮助解决了活动经费问题' });
    const confirm = await bot.sandbox.waitFor((m) => m.parentId === text);
    const shown = JSON.stringify(confirm.content);
    expect(shown).toContain('已记录完成情况');
    expect(shown).toContain('2026年11月20日');
    expect(shown).toContain('东岸镇东风村党支部');
    expect(shown).toContain('佐证材料 1 份');

    const reports = await bot.db.prisma.report.findMany({ where: { obligationId: ob.id }, include: { evidence: true } });
    expect(reports).toHaveLength(1);
    expect(reports[0]!.fields).toMatchObject({ visitDate: '2026-11-20', liaisonPoint: { name: '东岸镇东风村党支部' } });
    expect(reports[0]!.late).toBe(false);
    expect(Buffer.from(reports[0]!.evidence[0]!.data!).equals(PHOTO)).toBe(true);
    expect((await bot.db.prisma.obligation.findUniqueOrThrow({ where: { id: ob.id } })).status).toBe('DONE');
    expect(await dutiesText(sec)).not.toContain(ob.title);
  });

  /** A post (rich text) with words and `n` photos, as a reply to `reminder`. */
  async function postWithPhotos(from: string, reminder: string, text: string, n: number): Promise<string> {
    const keys: string[] = [];
    for (let i = 0; i < n; i++) {
      const res = await bot.app.deps.lark.im.v1.image.create({ data: { image_type: 'message', image: PHOTO } });
      keys.push(res!.image_key!);
    }
    return bot.sandbox.userSends({ from, parentId: reminder, post: { zh_cn: { title: '', content: [[{ tag: 'text', text }], ...keys.map((k) => [{ tag: 'img', image_key: k }])] } } });
  }

  it('a photo Lark does not hand over at once is fetched again by a job; the confirmation says so, and it is kept', async () => {
    const ob = await obligation(DEMO.otherSecretary.code, 'LIAISON_VISIT_SECRETARY', '2026-11');
    const reminder = await remind(DEMO.otherSecretary.openId, [ob.id], 'evidence-retry');
    bot.sandbox.failNext('im.v1.messageResource.get', 2, { status: 500, code: 0, msg: 'internal error' });
    const msg = await postWithPhotos(DEMO.otherSecretary.openId, reminder, '11月20日到西湾村检查指导', 1);
    const confirm = await bot.sandbox.waitFor((m) => m.parentId === msg, 10_000);
    expect(JSON.stringify(confirm.content)).toContain('1 份材料暂时没能从飞书取到，正在自动重试');
    const ev = await until('the photo to be stored by the retry job', () => bot.db.prisma.evidence.findFirst({ where: { report: { obligationId: ob.id }, status: 'STORED' } }), 20_000);
    expect(Buffer.from(ev.data!).equals(PHOTO)).toBe(true);
    await settled(bot);
    expect(bot.sandbox.sent({ toOpenId: DEMO.otherSecretary.openId }).filter((m) => JSON.stringify(m.content).includes('没能保存'))).toHaveLength(0);
  });

  it('a photo that still cannot be fetched is marked FAILED and the reporter is told which one to resend', async () => {
    const ob = await obligation(DEMO.otherSecretary.code, 'LIAISON_VISIT_SECRETARY', '2026-12');
    const reminder = await remind(DEMO.otherSecretary.openId, [ob.id], 'evidence-lost');
    bot.sandbox.failNext('im.v1.messageResource.get', 3, { status: 500, code: 0, msg: 'internal error' });
    const msg = await postWithPhotos(DEMO.otherSecretary.openId, reminder, '12月1日到西湾村检查指导', 1);
    await bot.sandbox.waitFor((m) => m.parentId === msg, 10_000);
    const told = await bot.sandbox.waitFor((m) => m.toOpenId === DEMO.otherSecretary.openId && JSON.stringify(m.content).includes('没能保存'), 20_000);
    expect(told.content.text).toContain(ob.title);
    expect(told.content.text).toContain('重新发送这个图片');
    const rows = await bot.db.prisma.evidence.findMany({ where: { report: { obligationId: ob.id } } });
    expect(rows.map((r) => [r.status, r.data])).toEqual([['FAILED', null]]);
    await settled(bot);
    expect(bot.sandbox.sent({ toOpenId: DEMO.otherSecretary.openId }).filter((m) => JSON.stringify(m.content).includes('没能保存'))).toHaveLength(1);
  });

  it('a post with more photos than a report may hold keeps the first nine and says which were refused', async () => {
    const ob = await obligation(DEMO.secretary.code, 'LIAISON_VISIT_SECRETARY', '2026-12');
    const reminder = await remind(sec, [ob.id], 'evidence-cap');
    const msg = await postWithPhotos(sec, reminder, '12月1日到东风村检查指导', 11);
    const confirm = JSON.stringify((await bot.sandbox.waitFor((m) => m.parentId === msg, 20_000)).content);
    expect(confirm).toContain('佐证材料 9 份已保存');
    expect(confirm.match(/图片没有保存：每份报告最多保存 9 份材料/g)).toHaveLength(2);
    expect(await bot.db.prisma.evidence.count({ where: { report: { obligationId: ob.id }, status: 'STORED' } })).toBe(9);
  });

  it('stores a card form submission the same way, once however often it is submitted', async () => {
    const ob = await obligation(DEMO.deputy.code, 'LIAISON_VISIT_LEADER', '2026-Q4');
    const reminder = await remind(DEMO.deputy.openId, [ob.id], 'q4-visit');
    await bot.sandbox.userClicks({ from: DEMO.deputy.openId, messageId: reminder, value: { action: 'report.open', obligationId: ob.id } });
    const form = await bot.sandbox.waitFor((m) => m.parentId === reminder && JSON.stringify(m.content).includes('"tag":"form"'));
    const org = await bot.db.prisma.grassrootsOrg.findUniqueOrThrow({ where: { code: 'G0101' } });
    const submit = () =>
      bot.sandbox.userClicks({
        from: DEMO.deputy.openId,
        messageId: form.messageId,
        name: 'submit',
        value: { action: 'report.submit', obligationId: ob.id },
        formValue: { visitDate: '2026-11-18 +0800', liaisonPoint: String(org.id), problemsFound: '组织生活不规范', problemsSolved: '指导制定整改计划' },
      });
    await submit();
    await submit(); // a double click
    const confirm = await bot.sandbox.waitFor((m) => m.parentId === form.messageId && JSON.stringify(m.content).includes('已记录完成情况'));
    expect(JSON.stringify(confirm.content)).toContain('东岸镇新围村党委');
    await settled(bot); // the second submit handled too
    const reports = await bot.db.prisma.report.findMany({ where: { obligationId: ob.id } });
    expect(reports).toHaveLength(1);
    expect(reports[0]!.fields).toMatchObject({ visitDate: '2026-11-18', liaisonPoint: { id: org.id }, problemsFound: '组织生活不规范' });
  });

  it('marks a reply after the due instant as late', async () => {
    const ob = await obligation(DEMO.otherSecretary.code, 'LIAISON_VISIT_SECRETARY', '2026-10');
    const reminder = await remind(DEMO.otherSecretary.openId, [ob.id], 'oct-visit');
    const id = await bot.sandbox.userSends({ from: DEMO.otherSecretary.openId, parentId: reminder, text: '10月30日到上涌村检查指导，帮助解决了党员发展问题' });
    const confirm = await bot.sandbox.waitFor((m) => m.parentId === id);
    expect(JSON.stringify(confirm.content)).toContain('已标记为逾期');
    const report = await bot.db.prisma.report.findFirstOrThrow({ where: { obligationId: ob.id } });
    expect(report.late).toBe(true);
    expect((await bot.db.prisma.obligation.findUniqueOrThrow({ where: { id: ob.id } })).late).toBe(true);
  });

  it('stores one report when the same reply is delivered twice', async () => {
    const ob = await obligation(DEMO.member.code, 'LIAISON_VISIT_LEADER', '2026-Q4');
    const reminder = await remind(DEMO.member.openId, [ob.id], 'q4-member');
    bot.sandbox.setDelivery({ mode: 'none' });
    const messageId = await bot.sandbox.userSends({ from: DEMO.member.openId, parentId: reminder, text: '11月12日到海景社区指导，解决了场地问题' });
    bot.sandbox.setDelivery({ mode: 'webhook', url: bot.webhookUrl });
    const env = messageEnvelope({ appId: bot.sandbox.appId, token: bot.sandbox.verificationToken, from: DEMO.member.openId, chatId: bot.sandbox.p2pChatId(DEMO.member.openId), text: '11月12日到海景社区指导，解决了场地问题', messageId });
    (env.event.message as Record<string, unknown>).parent_id = reminder;
    (env.event.message as Record<string, unknown>).root_id = reminder;
    for (const eventId of ['first', 'again']) {
      const req = signedRequest({ ...env, header: { ...env.header, event_id: `${eventId}-${messageId}` } }, bot.sandbox.encryptKey);
      expect((await fetch(bot.webhookUrl, { method: 'POST', body: req.body, headers: req.headers })).status).toBe(200);
    }
    await bot.sandbox.waitFor((m) => m.parentId === messageId);
    await settled(bot); // both deliveries handled
    expect(await bot.db.prisma.report.count({ where: { obligationId: ob.id } })).toBe(1);
    expect(bot.sandbox.sent().filter((m) => m.parentId === messageId)).toHaveLength(1);
  });

  it('files a /汇报 under the one of several open duties its text names (the meeting), says so; 撤回 opens the duty again', async () => {
    const staffPerson = await person(DEMO.staff.code);
    // Give the staff member two open duties of this period: the unit's Q4 meeting and yearly list items.
    const unitDuty = await bot.db.prisma.obligation.findFirstOrThrow({ where: { unitId: staffPerson.unitId, ruleCode: 'QUARTERLY_WORK_MEETING', periodKey: '2026-Q4' } });
    await bot.db.prisma.obligation.update({ where: { id: unitDuty.id }, data: { personId: staffPerson.id } });
    const listItem = await bot.db.prisma.obligation.findFirstOrThrow({ where: { unitId: staffPerson.unitId, ruleCode: 'LIST_ITEM', status: 'OPEN', dueAt: { gt: now } } });
    await bot.db.prisma.obligation.update({ where: { id: listItem.id }, data: { personId: staffPerson.id } });

    const id = await bot.sandbox.userSends({ from: DEMO.staff.openId, text: '/汇报 11月24日召开第四季度基层党建工作会议，参会15人，分析了换届准备中的问题' });
    const confirm = await bot.sandbox.waitFor((m) => m.parentId === id);
    expect(JSON.stringify(confirm.content)).toContain('已记录完成情况');
    expect(JSON.stringify(confirm.content)).toContain('已记入这项责任（根据：活动：基层党建工作会议');
    const report = await bot.db.prisma.report.findFirstOrThrow({ where: { obligationId: unitDuty.id } });
    expect(report.text).toBe('11月24日召开第四季度基层党建工作会议，参会15人，分析了换届准备中的问题');
    expect(report.fields).toMatchObject({ meetingDate: '2026-11-24', attendeeCount: 15 });
    expect((await bot.db.prisma.obligation.findUniqueOrThrow({ where: { id: unitDuty.id } })).status).toBe('DONE');

    await bot.sandbox.userClicks({ from: DEMO.staff.openId, messageId: confirm.messageId, value: { action: 'report.withdraw', reportId: report.id } });
    await bot.sandbox.waitFor((m) => m.messageId === confirm.messageId && m.kind === 'patch');
    expect((await bot.db.prisma.obligation.findUniqueOrThrow({ where: { id: unitDuty.id } })).status).toBe('OPEN');
    expect((await bot.db.prisma.report.findUniqueOrThrow({ where: { id: report.id } })).withdrawnAt).not.toBeNull();
  });

  it('tells someone outside the roster whom to contact', async () => {
    bot.sandbox.addUser({ openId: 'ou_stranger', name: '路人' });
    const id = await bot.sandbox.userSends({ from: 'ou_stranger', text: '/责任清单' });
    const reply = await bot.sandbox.waitFor((m) => m.parentId === id);
    expect(reply.content.text).toContain('花名册中还没有您的信息');
    expect(reply.content.text).toContain('区委组织部');
  });
});
