// Inspections end to end (暗访督查, 五(三)): OD staff record an inspection through the card form; each
// finding becomes a rectification duty of the unit, which is told at once, reminded like any duty, and
// reports what it corrected; OD staff accept it on the evidence or return it with a reason.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addWorkingDays } from '../../src/domain/calendar/working-days.js';
import { runReminderTick } from '../../src/reminders/tick.js';
import type { SentMessage } from '../../src/sandbox/index.js';
import { settled, startTestBot, until, type TestBot } from '../helpers/bot.js';
import { DEMO, DEMO_USERS, seedDistrict } from '../helpers/district.js';

const at = (iso: string) => new Date(`${iso}+08:00`);
const json = (m: SentMessage) => JSON.stringify(m.content);
const PHOTO = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');

describe('inspections: findings become rectification duties the OD closes on evidence', () => {
  let bot: TestBot;
  let now = at('2026-11-25T10:00:00');
  const od = DEMO.odStaff.openId;
  let unit: { id: number; name: string };
  let contacts: { id: number; name: string; larkOpenId: string | null }[];
  let inspectionId: number;

  beforeAll(async () => {
    bot = await startTestBot({ clock: () => now, sandbox: { users: DEMO_USERS } });
    await seedDistrict(bot.db.prisma, 2026, at('2026-01-05T09:00:00'));
    const sec = await bot.db.prisma.person.findUniqueOrThrow({ where: { code: DEMO.secretary.code }, include: { unit: true } });
    unit = sec.unit;
    contacts = await bot.db.prisma.person.findMany({ where: { unitId: unit.id, role: { in: ['SECRETARY', 'STAFF'] }, active: true }, orderBy: { id: 'asc' } });
  }, 120_000);
  afterAll(async () => bot?.close());

  async function ask(openId: string, text: string, extra: { parentId?: string; image?: { bytes: Buffer } } = {}) {
    const messageId = await bot.sandbox.userSends({ from: openId, text, ...extra });
    const reply = await bot.sandbox.waitFor((m) => m.parentId === messageId, 10_000);
    return { messageId, reply, text: json(reply) };
  }
  const sentTo = (openId: string, needle: string) => bot.sandbox.sent().filter((m) => m.kind === 'create' && m.toOpenId === openId && json(m).includes(needle));
  const auditRows = (actor: string, action: string) => bot.db.prisma.auditLog.findMany({ where: { actorId: actor, action }, orderBy: { id: 'asc' } });

  it('only OD staff may record an inspection; a member may not even look; refusals are audited', async () => {
    const member = await ask(DEMO.member.openId, '/督查');
    expect(member.reply.content.text).toBe('只有本单位书记、党建工作人员、区委组织部和区领导可以查看单位情况。');
    expect((await auditRows(DEMO.member.openId, 'command:inspect')).map((r) => r.result)).toEqual(['deny']);

    const sec = await ask(DEMO.secretary.openId, '/督查 东岸镇');
    expect(sec.reply.content.text).toBe('只有区委组织部工作人员可以记录督查情况。');

    // The secretary's /督查 shows the unit's inspections (none yet).
    const list = await ask(DEMO.secretary.openId, '/督查');
    expect(list.text).toContain('督查整改情况');
    expect(list.text).toContain('还没有督查记录');

    // A forged form submit is refused too, audited, and records nothing.
    await bot.sandbox.userClicks({ from: DEMO.secretary.openId, messageId: list.reply.messageId, value: { action: 'inspection.submit' }, formValue: { unit: unit.name } });
    await bot.sandbox.waitFor((m) => m.parentId === list.reply.messageId && m.content.text === '只有区委组织部工作人员可以记录督查情况。', 10_000);
    expect((await auditRows(DEMO.secretary.openId, 'inspection.submit')).map((r) => r.result)).toEqual(['deny']);
    expect(await bot.db.prisma.inspection.count()).toBe(0);
  });

  it('a form with mistakes is refused with every problem in one message, and nothing is written', async () => {
    const form = await ask(od, '/督查 东岸');
    expect(form.text).toContain('inspection_form');
    expect(form.text).toContain('"default_value":"东岸"');
    // The proposed deadline: 20 working days from today.
    expect(form.text).toContain(`"initial_date":"${addWorkingDays('2026-11-25', 20, bot.app.deps.calendar)}"`);
    await bot.sandbox.userClicks({
      from: od,
      messageId: form.reply.messageId,
      name: 'submit',
      value: { action: 'inspection.submit' },
      formValue: { unit: '东岸', method: 'UNANNOUNCED', inspectedOn: '2026-11-27 +0800', findings: '  \n ', deadline: '2026-11-20 +0800' },
    });
    const answer = await bot.sandbox.waitFor((m) => m.parentId === form.reply.messageId && json(m).includes('督查记录没有保存'), 10_000);
    expect(answer.content.text).toBe(
      '督查记录没有保存，请修改后重新提交：\n1. 检查日期 2026-11-27 还没到，请填写已经检查的日期\n2. 整改期限 2026-11-20 应晚于今天（2026-11-25）\n3. 请填写发现的问题，每行一条',
    );
    expect(await bot.db.prisma.inspection.count()).toBe(0);
    expect(await bot.db.prisma.obligation.count({ where: { ruleCode: 'INSPECTION_RECTIFICATION' } })).toBe(0);
  });

  it('records the inspection once, however often it is submitted; each finding is a duty of the unit; the unit is told once', async () => {
    const form = await ask(od, '/督查');
    const submit = () =>
      bot.sandbox.userClicks({
        from: od,
        messageId: form.reply.messageId,
        name: 'submit',
        value: { action: 'inspection.submit' },
        formValue: {
          unit: unit.name,
          method: 'UNANNOUNCED',
          inspectedOn: '2026-11-24 +0800',
          findings: '1. 东风村党支部“三会一课”记录不全\n2、联系点走访台账缺少10月记录\n\n（3）党建工作经费未单列',
          deadline: '2026-12-18 +0800',
        },
      });
    await Promise.all([submit(), submit()]);
    const saved = await bot.sandbox.waitFor((m) => m.parentId === form.reply.messageId && json(m).includes('督查记录已保存'), 10_000);
    const inspection = await bot.db.prisma.inspection.findFirstOrThrow({ include: { findings: { orderBy: { seq: 'asc' }, include: { obligation: true } } } });
    inspectionId = inspection.id;
    expect(await bot.db.prisma.inspection.count()).toBe(1);
    expect(saved.content.text).toBe(`督查记录已保存（编号 ${inspectionId}）：3 条问题已列为${unit.name}的整改任务，已通知该单位 ${contacts.length} 人。发送 /督查 ${inspectionId} 查看整改进展。`);
    expect(inspection.findings.map((f) => f.text)).toEqual(['东风村党支部“三会一课”记录不全', '联系点走访台账缺少10月记录', '党建工作经费未单列']);
    for (const f of inspection.findings) {
      expect(f.obligation).toMatchObject({ ruleCode: 'INSPECTION_RECTIFICATION', ownerKey: `u${unit.id}`, unitId: unit.id, status: 'OPEN', subjectKey: `finding:${f.id}` });
      expect(f.obligation!.dueAt.toISOString()).toBe(new Date('2026-12-18T23:59:59.999+08:00').toISOString());
      expect(f.obligation!.title).toContain(`11月24日暗访督查问题${f.seq}整改`);
    }
    // The secretary and the Party-building staff each get one card with the findings, the deadline and a report button per finding.
    expect(contacts.length).toBeGreaterThanOrEqual(2);
    for (const p of contacts) {
      const cards = await until('the rectification notice', () => {
        const c = sentTo(p.larkOpenId!, '督查发现问题整改通知');
        return c.length ? c : undefined;
      });
      await settled(bot); // a second card would be sent by now
      expect(sentTo(p.larkOpenId!, '督查发现问题整改通知')).toHaveLength(1);
      const t = json(cards[0]!);
      expect(t).toContain('2026年12月18日');
      expect(t).toContain('五(三)');
      for (const f of inspection.findings) expect(t).toContain(JSON.stringify({ action: 'report.open', obligationId: f.obligation!.id }));
    }
    // The OD's form card now shows the inspection instead of the form.
    const patched = bot.sandbox.sent().filter((m) => m.kind === 'patch' && m.messageId === form.reply.messageId);
    expect(json(patched.at(-1)!)).toContain('东风村党支部');
    expect(json(patched.at(-1)!)).not.toContain('inspection_form');
  });

  it('the findings are reminded like any duty: before the deadline, and as overdue after it', async () => {
    const ob = await bot.db.prisma.obligation.findFirstOrThrow({ where: { ruleCode: 'INSPECTION_RECTIFICATION', subjectKey: { startsWith: 'finding:' } }, orderBy: { id: 'asc' } });
    // Everything else the district owes is done, so the digest cards hold only the rectifications.
    await bot.db.prisma.obligation.updateMany({ where: { ruleCode: { not: 'INSPECTION_RECTIFICATION' } }, data: { status: 'DONE' } });
    now = at('2026-12-09T10:00:00'); // 7 working days before 18 December
    await runReminderTick(bot.app.deps, { now });
    const sec = contacts.find((c) => c.larkOpenId === DEMO.secretary.openId)!;
    const sent = await until('the reminder before the deadline', async () => {
      const rows = await bot.db.prisma.reminder.findMany({ where: { obligationId: ob.id, recipientId: sec.id, status: 'SENT', stage: { not: 'inspection' } } });
      return rows.length ? rows : undefined;
    });
    const card = bot.sandbox.sent().find((m) => m.messageId === sent[0]!.messageId)!;
    expect(json(card)).toContain(ob.title);
    expect(json(card)).toContain('还剩 7 个工作日');
    expect(json(card)).toContain(JSON.stringify({ action: 'report.open', obligationId: ob.id }));

    // The first working day after the deadline: overdue, to the secretary again.
    now = at('2026-12-21T10:00:00');
    await runReminderTick(bot.app.deps, { now });
    const overdue = await until('the overdue reminder', async () => {
      const rows = await bot.db.prisma.reminder.findMany({ where: { obligationId: ob.id, recipientId: sec.id, status: 'SENT', stage: 'overdue' } });
      return rows.length ? rows : undefined;
    });
    expect(json(bot.sandbox.sent().find((m) => m.messageId === overdue[0]!.messageId)!)).toContain(ob.title);
    now = at('2026-11-25T10:00:00');
  });

  it('a report submits the rectification; the inspector sees it with 通过/退回; a return needs a reason and reaches the unit', async () => {
    const f1 = await bot.db.prisma.inspectionFinding.findFirstOrThrow({ where: { inspectionId, seq: 1 }, include: { obligation: true } });
    const notice = sentTo(DEMO.secretary.openId, '督查发现问题整改通知')[0]!;
    await bot.sandbox.userClicks({ from: DEMO.secretary.openId, messageId: notice.messageId, value: { action: 'report.open', obligationId: f1.obligationId } });
    const form = await bot.sandbox.waitFor((m) => json(m).includes('report_form') && json(m).includes(f1.obligation!.title), 10_000);
    await bot.sandbox.userClicks({
      from: DEMO.secretary.openId,
      messageId: form.messageId,
      name: 'submit',
      value: { action: 'report.submit', obligationId: f1.obligationId },
      formValue: { corrected: '已组织东风村党支部补齐2026年“三会一课”记录', doneDate: '2026-11-25 +0800' },
    });
    const confirm = await bot.sandbox.waitFor((m) => json(m).includes('已记录完成情况') && json(m).includes(f1.obligation!.title), 10_000);
    expect(json(confirm)).toContain('待区委组织部验收销号');
    expect((await bot.db.prisma.obligation.findUniqueOrThrow({ where: { id: f1.obligationId! } })).status).toBe('SUBMITTED');

    // The OD's daily digest goes out for it even though nothing is overdue today.
    await runReminderTick(bot.app.deps, { now });
    const digest = await until('the OD digest', () => sentTo(od, '逾期责任日报').find((m) => json(m).includes('2026年11月25日')));
    expect(json(digest)).toContain('没有逾期未报告的党建责任');
    expect(json(digest)).toContain('待验收的整改报告 1 项');

    // /待办 of the OD staff member who recorded it shows it awaits acceptance.
    expect((await ask(od, '/待办')).text).toContain('待验收的整改报告 1 项**（其中您记录的督查 1 项）');

    const review = await until('the review card', () => sentTo(od, '整改报告待验收')[0]);
    const rt = json(review);
    expect(rt).toContain('已组织东风村党支部补齐2026年“三会一课”记录');
    expect(rt).toContain(`督查编号 ${inspectionId} 问题 1`);
    const report = await bot.db.prisma.report.findFirstOrThrow({ where: { obligationId: f1.obligationId! } });
    const returnValue = { action: 'review.decide', obligationId: f1.obligationId, reportId: report.id, decision: 'RETURN' };
    expect(rt).toContain(JSON.stringify(returnValue));

    // 退回 without a reason: told to give one; nothing changes.
    await bot.sandbox.userClicks({ from: od, messageId: review.messageId, name: 'return', value: returnValue, formValue: { note: ' ' } });
    await bot.sandbox.waitFor((m) => m.parentId === review.messageId && json(m).includes('请填写退回的原因'), 10_000);
    expect((await bot.db.prisma.obligation.findUniqueOrThrow({ where: { id: f1.obligationId! } })).status).toBe('SUBMITTED');

    await bot.sandbox.userClicks({ from: od, messageId: review.messageId, name: 'return', value: returnValue, formValue: { note: '请附补齐后的会议记录照片' } });
    await bot.sandbox.waitFor((m) => m.parentId === review.messageId && json(m).includes('已退回'), 10_000);
    expect((await bot.db.prisma.obligation.findUniqueOrThrow({ where: { id: f1.obligationId! } })).status).toBe('OPEN');
    const back = await until('the return notice', () => sentTo(DEMO.secretary.openId, '整改被退回')[0]);
    expect(json(back)).toContain('请附补齐后的会议记录照片');
    expect(await bot.db.prisma.obligationReview.count({ where: { obligationId: f1.obligationId!, decision: 'RETURN' } })).toBe(1);
  });

  it('a reply to the return with a photo is the new report; the OD accepts it once and the unit is told', async () => {
    const f1 = await bot.db.prisma.inspectionFinding.findFirstOrThrow({ where: { inspectionId, seq: 1 } });
    const back = sentTo(DEMO.secretary.openId, '整改被退回')[0]!;
    const photoMsg = await bot.sandbox.userSends({ from: DEMO.secretary.openId, parentId: back.messageId, rootId: back.messageId, image: { bytes: PHOTO } });
    await bot.sandbox.waitFor((m) => m.parentId === photoMsg, 10_000);
    await ask(DEMO.secretary.openId, '会议记录已补齐，照片见上', { parentId: back.messageId });
    const reviews = await until('the second review card', () => {
      const r = sentTo(od, '整改报告待验收');
      return r.length >= 2 ? r : undefined;
    });
    const second = reviews.at(-1)!;
    expect(json(second)).toContain('会议记录已补齐');
    expect((await bot.db.prisma.obligation.findUniqueOrThrow({ where: { id: f1.obligationId! } })).status).toBe('SUBMITTED');
    const report = await bot.db.prisma.report.findFirstOrThrow({ where: { obligationId: f1.obligationId!, text: { contains: '会议记录已补齐' } }, include: { evidence: true } });
    expect(report.evidence).toHaveLength(1);
    // The photo is in the reviewer's card.
    expect((second.content as { body: { elements: { tag: string }[] } }).body.elements.some((e) => e.tag === 'img')).toBe(true);

    // Card actions act on what the database says, not on the card's ids: the first (returned) report's
    // card is outdated, and a card pairing this report with another finding is refused; both audited.
    const first = await bot.db.prisma.report.findFirstOrThrow({ where: { obligationId: f1.obligationId! }, orderBy: { id: 'asc' } });
    const f2 = await bot.db.prisma.inspectionFinding.findFirstOrThrow({ where: { inspectionId, seq: 2 } });
    const stale = { action: 'review.decide', obligationId: f1.obligationId, reportId: first.id, decision: 'ACCEPT' };
    await bot.sandbox.userClicks({ from: od, messageId: second.messageId, name: 'accept', value: stale, formValue: {} });
    await bot.sandbox.waitFor((m) => m.parentId === second.messageId && json(m).includes('这张验收卡片已过时'), 10_000);
    const forged = { action: 'review.decide', obligationId: f2.obligationId, reportId: report.id, decision: 'RETURN' };
    await bot.sandbox.userClicks({ from: od, messageId: second.messageId, name: 'return', value: forged, formValue: { note: '伪造' } });
    await bot.sandbox.waitFor((m) => m.parentId === second.messageId && json(m).includes('这张验收卡片与记录不符'), 10_000);
    expect((await bot.db.prisma.obligation.findUniqueOrThrow({ where: { id: f1.obligationId! } })).status).toBe('SUBMITTED');
    expect(await bot.db.prisma.obligationReview.count({ where: { obligationId: { in: [f1.obligationId!, f2.obligationId!] }, decision: 'ACCEPT' } })).toBe(0);
    // Audited as refusals, with the earlier 退回 without a reason.
    expect((await auditRows(od, 'review.decide')).filter((a) => a.result === 'deny').map((a) => (a.detail as { code: string }).code)).toEqual(['bad_input', 'conflict', 'conflict']);

    const accept = { action: 'review.decide', obligationId: f1.obligationId, reportId: report.id, decision: 'ACCEPT' };
    const answers = await Promise.all([
      bot.sandbox.userClicks({ from: od, messageId: second.messageId, name: 'accept', value: accept, formValue: {} }),
      bot.sandbox.userClicks({ from: od, messageId: second.messageId, name: 'accept', value: accept, formValue: {} }),
    ]);
    await bot.sandbox.waitFor((m) => m.parentId === second.messageId && json(m).includes('已验收通过并销号'), 10_000);
    // The double click is told the card was used: by a toast when it reaches the bot after the first, else by a reply.
    if (!answers.some((a) => JSON.stringify(a).includes('这张卡片已经处理过'))) {
      await bot.sandbox.waitFor((m) => m.parentId === second.messageId && /这张卡片(已经处理过|的上一次点击正在处理)/.test(json(m)), 10_000);
    }
    const ob = await bot.db.prisma.obligation.findUniqueOrThrow({ where: { id: f1.obligationId! } });
    expect(ob.status).toBe('DONE');
    expect(ob.completedAt?.toISOString()).toBe(now.toISOString());
    expect(await bot.db.prisma.obligationReview.count({ where: { obligationId: ob.id, decision: 'ACCEPT' } })).toBe(1);
    await until('the approval notice', () => sentTo(DEMO.secretary.openId, '整改已通过验收')[0]);
    expect(sentTo(DEMO.secretary.openId, '整改已通过验收')).toHaveLength(1);

    // Closed on the OD's word: its reports can no longer be withdrawn, and no more reports are taken.
    const confirm = bot.sandbox.sent().filter((m) => json(m).includes('已记录完成情况') && json(m).includes(ob.title)).at(-1)!;
    await bot.sandbox.userClicks({ from: DEMO.secretary.openId, messageId: confirm.messageId, value: { action: 'report.withdraw', reportId: report.id } });
    await bot.sandbox.waitFor((m) => json(m).includes('已通过区委组织部验收销号，报告不能撤回'), 10_000);
    expect((await bot.db.prisma.obligation.findUniqueOrThrow({ where: { id: ob.id } })).status).toBe('DONE');
  });

  it('/督查 列表 and /督查 <编号> show each finding’s state to the unit and the OD, and nothing to another unit', async () => {
    const sec = await ask(DEMO.secretary.openId, '/督查 列表');
    expect(sec.text).toContain('整改中 2 条　待验收 0 条　已销号 1 条');
    expect(sec.text).toContain('已销号');
    const one = await ask(od, `/督查 ${inspectionId}`);
    expect(one.text).toContain(`编号 ${inspectionId}`);
    expect(one.text).toContain('联系点走访台账缺少10月记录');
    const other = await ask(DEMO.otherSecretary.openId, `/督查 ${inspectionId}`);
    expect(other.reply.content.text).toBe(`没有找到编号为 ${inspectionId} 的督查记录（或您无权查看）。发送 /督查 列表 查看。`);
  });
});
