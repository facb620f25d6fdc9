// Conversations that flow (issue 14): a reply on a multi-duty reminder lands on the right duty, a
// date outside the duty's period is questioned, and a used card says so instead of going silent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { button, buttons, card, md } from '../../src/cards/card.js';
import { DEMO, DEMO_USERS, seedDistrict } from '../helpers/district.js';
import { startTestBot, type TestBot } from '../helpers/bot.js';

describe('conversations that flow', () => {
  let bot: TestBot;
  const now = new Date('2026-12-03T10:00:00+08:00');
  const sec = DEMO.secretary;

  beforeAll(async () => {
    bot = await startTestBot({ mode: 'webhook', clock: () => now, sandbox: { users: DEMO_USERS } });
    await seedDistrict(bot.db.prisma, 2026, new Date('2026-10-20T09:00:00+08:00'));
  });
  afterAll(async () => bot?.close());

  const db = () => bot.db.prisma;
  const obligation = async (code: string, where: Record<string, unknown>) => {
    const p = await db().person.findUniqueOrThrow({ where: { code } });
    return db().obligation.findFirstOrThrow({ where: { personId: p.id, ...where } });
  };
  const text = (m: { content: unknown }) => JSON.stringify(m.content);

  /** The daily reminder as the sender leaves it: one card carrying several duties, Reminder rows pointing at it. */
  async function remind(openId: string, obligationIds: number[], key: string): Promise<string> {
    const p = await db().person.findFirstOrThrow({ where: { larkOpenId: openId } });
    const { messageId } = await bot.app.deps.messenger.card(
      { openId },
      card({ title: '党建责任到期提醒', elements: [md('请回复本消息汇报完成情况'), ...obligationIds.map((id) => buttons(button('填写报告', { action: 'report.open', obligationId: id })))] }),
      { purpose: 'test-reminder', key },
    );
    await db().reminder.createMany({ data: obligationIds.map((obligationId) => ({ obligationId, stage: `test-${key}`, recipientId: p.id, sendOn: now, status: 'SENT' as const, messageId })) });
    return messageId;
  }

  it('files a reply naming the liaison point on a three-duty card directly under the visit, says so, and 改记 moves it', async () => {
    const visit = await obligation(sec.code, { ruleCode: 'LIAISON_VISIT_SECRETARY', periodKey: '2026-12' });
    const meeting = await db().obligation.findFirstOrThrow({ where: { unitId: visit.unitId, ruleCode: 'QUARTERLY_WORK_MEETING', periodKey: '2026-Q4' } });
    const plan = await obligation(sec.code, { ruleCode: 'PC_MEETING_STUDY' });
    const reminder = await remind(sec.openId, [meeting.id, visit.id, plan.id], 'three');

    const id = await bot.sandbox.userSends({ from: sec.openId, parentId: reminder, text: '12月2日到东风村走访党员5户，帮助解决了活动场地问题' });
    const confirm = await bot.sandbox.waitFor((m) => m.parentId === id);
    expect(text(confirm)).toContain('已记录完成情况');
    expect(text(confirm)).toContain(visit.title);
    expect(text(confirm)).toContain('已记入这项责任（根据：');
    expect(text(confirm)).toContain('联系点东风');
    expect(text(confirm)).not.toContain('请选择这份报告对应的责任');
    const report = await db().report.findFirstOrThrow({ where: { sourceKey: `msg:${id}` } });
    expect(report.obligationId).toBe(visit.id);
    expect((await db().obligation.findUniqueOrThrow({ where: { id: visit.id } })).status).toBe('DONE');

    // 改记到其他责任: the other duties of the card are offered; choosing one moves the report.
    await bot.sandbox.userClicks({ from: sec.openId, messageId: confirm.messageId, value: { action: 'report.move', reportId: report.id } });
    const choices = await bot.sandbox.waitFor((m) => m.parentId === confirm.messageId && text(m).includes('要改记到哪一项'));
    const offered = [...text(choices).matchAll(/"obligationId":(\d+)/g)].map((m) => Number(m[1]));
    expect(offered).toContain(plan.id);
    expect(offered).toContain(meeting.id);
    expect(offered).not.toContain(visit.id);
    await bot.sandbox.userClicks({ from: sec.openId, messageId: choices.messageId, value: { action: 'report.move', reportId: report.id, obligationId: plan.id } });
    await bot.sandbox.waitFor((m) => m.messageId === choices.messageId && m.kind === 'patch' && text(m).includes('报告已改记'));
    expect((await db().report.findUniqueOrThrow({ where: { id: report.id } })).obligationId).toBe(plan.id);
    expect((await db().obligation.findUniqueOrThrow({ where: { id: visit.id } })).status).toBe('OPEN');
    expect((await db().obligation.findUniqueOrThrow({ where: { id: plan.id } })).doneCount).toBe(1);
  });

  it('asks when the reply could be either meeting, the most likely first, and the used pick card answers a second click with a toast', async () => {
    const p = await db().person.findUniqueOrThrow({ where: { code: sec.code } });
    const meeting = await db().obligation.findFirstOrThrow({ where: { unitId: p.unitId, ruleCode: 'QUARTERLY_WORK_MEETING', periodKey: '2026-Q4' } });
    const study = await obligation(sec.code, { ruleCode: 'PC_MEETING_STUDY', periodKey: { not: '' } });
    const visit = await obligation(sec.code, { ruleCode: 'LIAISON_VISIT_SECRETARY', periodKey: '2026-11' });
    const reminder = await remind(sec.openId, [visit.id, meeting.id, study.id], 'ambiguous');
    const id = await bot.sandbox.userSends({ from: sec.openId, parentId: reminder, text: '12月1日召开了会议，讨论了明年的工作安排' });
    const pick = await bot.sandbox.waitFor((m) => m.parentId === id);
    expect(text(pick)).toContain('请选择这份报告对应的责任');
    const buttonsShown = [...text(pick).matchAll(/"obligationId":(\d+)/g)].map((m) => Number(m[1]));
    expect(buttonsShown.at(-1)).toBe(visit.id); // the visit, which the text does not point at, comes last

    const choose = () => bot.sandbox.userClicks({ from: sec.openId, messageId: pick.messageId, value: { action: 'report.pick', obligationId: meeting.id, source: id } });
    await choose();
    await bot.sandbox.waitFor((m) => m.messageId === pick.messageId && m.kind === 'patch' && text(m).includes('已选择责任'));
    const second = (await choose()) as { toast?: { content: string } };
    expect(second.toast?.content).toContain('这张卡片已经处理过');
    expect(second.toast?.content).toContain(meeting.title);
    expect(await db().report.count({ where: { sourceKey: `msg:${id}` } })).toBe(1);
  });

  it('questions a November date on the December visit and moves it to November’s (late) when asked', async () => {
    const dec = await obligation(DEMO.otherSecretary.code, { ruleCode: 'LIAISON_VISIT_SECRETARY', periodKey: '2026-12' });
    const nov = await obligation(DEMO.otherSecretary.code, { ruleCode: 'LIAISON_VISIT_SECRETARY', periodKey: '2026-11' });
    // November's was reported already under another card: this card carries December's only.
    const reminder = await remind(DEMO.otherSecretary.openId, [dec.id], 'dec-only');
    const id = await bot.sandbox.userSends({ from: DEMO.otherSecretary.openId, parentId: reminder, text: '11月20日到上涌村检查指导，帮助解决了党员发展问题' });
    const confirm = await bot.sandbox.waitFor((m) => m.parentId === id);
    expect(text(confirm)).toContain('不在这项责任的周期（2026年12月）内');
    expect(text(confirm)).toContain('改记到2026年11月');
    expect(text(confirm)).toContain('按逾期完成计');
    const report = await db().report.findFirstOrThrow({ where: { sourceKey: `msg:${id}` } });
    expect(report.obligationId).toBe(dec.id);

    await bot.sandbox.userClicks({ from: DEMO.otherSecretary.openId, messageId: confirm.messageId, value: { action: 'report.move', reportId: report.id, obligationId: nov.id } });
    const fresh = await bot.sandbox.waitFor((m) => m.parentId === confirm.messageId && text(m).includes('已记录完成情况'));
    expect(text(fresh)).toContain(nov.title);
    expect(text(fresh)).not.toContain('不在这项责任的周期');
    const moved = await db().report.findUniqueOrThrow({ where: { id: report.id } });
    expect(moved.obligationId).toBe(nov.id);
    expect(moved.late).toBe(true);
    expect((await db().obligation.findUniqueOrThrow({ where: { id: nov.id } })).status).toBe('DONE');
    expect((await db().obligation.findUniqueOrThrow({ where: { id: dec.id } })).status).toBe('OPEN');
    // The old confirmation is used: a click on its 撤回 gets a toast and changes nothing.
    const stale = (await bot.sandbox.userClicks({ from: DEMO.otherSecretary.openId, messageId: confirm.messageId, value: { action: 'report.withdraw', reportId: report.id } })) as { toast?: { content: string } };
    expect(stale.toast?.content).toContain('已改记到');
    expect((await db().report.findUniqueOrThrow({ where: { id: report.id } })).withdrawnAt).toBeNull();
  });

  it('keeps a questioned date as it is when told to, and the card loses the question', async () => {
    const dec = await obligation(DEMO.deputy.code, { ruleCode: 'LIAISON_VISIT_LEADER', periodKey: '2026-Q4' });
    const reminder = await remind(DEMO.deputy.openId, [dec.id], 'q4-leader');
    const id = await bot.sandbox.userSends({ from: DEMO.deputy.openId, parentId: reminder, text: '9月28日到新围村具体指导，解决了场地问题' });
    const confirm = await bot.sandbox.waitFor((m) => m.parentId === id);
    expect(text(confirm)).toContain('不在这项责任的周期（2026年第四季度）内');
    const report = await db().report.findFirstOrThrow({ where: { sourceKey: `msg:${id}` } });
    await bot.sandbox.userClicks({ from: DEMO.deputy.openId, messageId: confirm.messageId, value: { action: 'report.keep', reportId: report.id } });
    const kept = await bot.sandbox.waitFor((m) => m.messageId === confirm.messageId && m.kind === 'patch');
    expect(text(kept)).toContain('已记录完成情况');
    expect(text(kept)).not.toContain('不在这项责任的周期');
    expect((await db().report.findUniqueOrThrow({ where: { id: report.id } })).obligationId).toBe(dec.id);
  });

  it('turns a submitted form into what was submitted; a second submit gets a toast and stores nothing more', async () => {
    const ob = await obligation(DEMO.member.code, { ruleCode: 'LIAISON_VISIT_LEADER', periodKey: '2026-Q4' });
    const reminder = await remind(DEMO.member.openId, [ob.id], 'form');
    await bot.sandbox.userClicks({ from: DEMO.member.openId, messageId: reminder, value: { action: 'report.open', obligationId: ob.id } });
    const form = await bot.sandbox.waitFor((m) => m.parentId === reminder && text(m).includes('"tag":"form"'));
    const submit = () =>
      bot.sandbox.userClicks({
        from: DEMO.member.openId,
        messageId: form.messageId,
        name: 'submit',
        value: { action: 'report.submit', obligationId: ob.id },
        formValue: { visitDate: '2026-12-01 +0800', liaisonPoint: '海景社区', problemsFound: '台账不全', problemsSolved: '指导补齐台账' },
      });
    await submit();
    const used = await bot.sandbox.waitFor((m) => m.messageId === form.messageId && m.kind === 'patch');
    expect(text(used)).toContain('已提交完成情况');
    expect(text(used)).not.toContain('"tag":"form"');
    const again = (await submit()) as { toast?: { content: string } };
    expect(again.toast?.content).toContain('这张卡片已经处理过');
    expect(await db().report.count({ where: { obligationId: ob.id } })).toBe(1);
  });

  it('refuses another unit to a secretary naming who may see it, 区领导 included', async () => {
    const other = await db().person.findUniqueOrThrow({ where: { code: DEMO.otherSecretary.code }, include: { unit: true } });
    const id = await bot.sandbox.userSends({ from: sec.openId, text: `/单位 ${other.unit.name}` });
    const reply = await bot.sandbox.waitFor((m) => m.parentId === id);
    expect(reply.content.text).toContain('区领导');
    expect(reply.content.text).toContain('本单位书记');
  });

  it('shows a multi-line original text without raw markup', async () => {
    const target = await obligation(sec.code, { ruleCode: 'LIAISON_VISIT_SECRETARY', periodKey: '2026-10' });
    const reminder = await remind(sec.openId, [target.id], 'multiline');
    const id = await bot.sandbox.userSends({ from: sec.openId, parentId: reminder, text: '第一行：已完成\n第二行：材料已归档\n第三行：12月1日' });
    const confirm = await bot.sandbox.waitFor((m) => m.parentId === id);
    const md = (confirm.content.body.elements as { tag: string; content?: string }[]).map((e) => e.content ?? '').join('\n');
    for (const line of md.split('\n')) {
      const opens = (line.match(/<font/g) ?? []).length;
      expect(opens, line).toBe((line.match(/<\/font>/g) ?? []).length);
    }
    expect(md).toContain("<font color='grey'>第二行：材料已归档</font>");
  });
  it('a person with 20 overdue items still sees this month first, opens the overdue ones with /责任清单 逾期, and reports this month', async () => {
    const p = await db().person.findUniqueOrThrow({ where: { code: sec.code } });
    await db().obligation.createMany({
      data: Array.from({ length: 20 }, (_, i) => ({
        ruleCode: 'LIST_ITEM',
        ownerKey: `p${p.id}`,
        unitId: p.unitId,
        personId: p.id,
        periodKey: '2026',
        subjectKey: `backlog:${i}`,
        title: `2026年责任清单第${30 + i}项：积压事项${i + 1}`,
        periodStart: new Date('2026-01-01T00:00:00+08:00'),
        dueAt: new Date(`2026-${String(1 + (i % 10)).padStart(2, '0')}-28T23:59:59+08:00`),
      })),
    });
    const dec = await obligation(sec.code, { ruleCode: 'LIAISON_VISIT_SECRETARY', periodKey: '2026-12' });
    expect(dec.status).toBe('OPEN');
    const overdue = await db().obligation.count({ where: { personId: p.id, status: 'OPEN', dueAt: { lt: now } } });
    expect(overdue).toBeGreaterThanOrEqual(20);

    const ask = async (t: string) => {
      const id = await bot.sandbox.userSends({ from: sec.openId, text: t });
      return { id, reply: await bot.sandbox.waitFor((m) => m.parentId === id) };
    };
    const list = text((await ask('/责任清单')).reply);
    expect(list).toContain(dec.title);
    expect(list.indexOf(dec.title)).toBeLessThan(list.indexOf('已逾期'));
    expect(list).toContain(`已逾期 ${overdue} 项`);
    expect(list).toContain('/责任清单 逾期');
    expect(list).toContain('"template":"red"');

    const first = text((await ask('/责任清单 逾期')).reply);
    expect(first).toContain(`第 1/${Math.ceil(overdue / 15)} 页，共 ${overdue} 项`);
    expect(first).not.toContain(dec.title);
    const second = text((await ask('/责任清单 逾期 2')).reply);
    expect(second).toContain(`第 2/${Math.ceil(overdue / 15)} 页`);

    // A vague /汇报 gets a paged pick list; the next page is the same card turned.
    const vague = await ask('/汇报 已按要求完成');
    expect(text(vague.reply)).toContain('第 1/');
    await bot.sandbox.userClicks({ from: sec.openId, messageId: vague.reply.messageId, value: { action: 'report.page', source: vague.id, page: 2 } });
    const turned = await bot.sandbox.waitFor((m) => m.messageId === vague.reply.messageId && m.kind === 'patch');
    expect(text(turned)).toContain('第 2/');
    expect(text(turned)).toContain('上一页');

    // This month's visit, reported by /汇报, lands on December's visit despite the backlog.
    const visit = await ask('/汇报 12月2日到东风村检查指导，帮助解决了活动阵地问题');
    expect(text(visit.reply)).toContain('已记录完成情况');
    expect(text(visit.reply)).toContain(dec.title);
    expect((await db().obligation.findUniqueOrThrow({ where: { id: dec.id } })).status).toBe('DONE');
  });
});
