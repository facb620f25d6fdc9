// Next year's working-day calendar, end to end: the warning to the OD from 1 November, /日历,
// the OD's entry by card form and by the override file, validated, previewed, confirmed once,
// stored in PostgreSQL (a second replica sees it without restart), audited, reminders re-dated.
//
// The 2027 dates below are TEST INPUT ("测试假期"), not the official schedule, which no source on
// these machines has yet.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { beijingDay, isWorkingDay } from '../../src/domain/calendar/working-days.js';
import { generateObligations } from '../../src/obligations/generate.js';
import { runReminderTick } from '../../src/reminders/tick.js';
import type { SentMessage } from '../../src/sandbox/index.js';
import { botReply, settled, startReplica, startTestBot, until, type TestBot } from '../helpers/bot.js';
import { seedRoster, type SeededRoster } from '../helpers/reminders.js';

const at = (s: string) => new Date(`${s}+08:00`);
const text = (m: SentMessage) => JSON.stringify(m.content);

describe('the working-day calendar of next year, kept by the OD in chat', () => {
  let bot: TestBot;
  let replica: App | undefined;
  let now = at('2026-10-30T10:00:00');
  let r: SeededRoster;
  let od: string;

  beforeAll(async () => {
    bot = await startTestBot({ clock: () => now, sandbox: { users: [] }, env: { CONFIG_REFRESH_SECONDS: '0.2' }, knownYears: [] });
    r = await seedRoster(bot.db.prisma);
    for (const u of r.users) bot.sandbox.addUser(u);
    od = r.by('OD_STAFF').openId;
    // Next year's duties are planned already (as they are in November), nothing of this year is open.
    await generateObligations(bot.db.prisma, { year: 2027, now, catalog: bot.app.deps.catalog.current });
  });
  afterAll(async () => {
    await replica?.close(1000);
    await bot?.close();
  });

  const odDigests = () => bot.sandbox.sent().filter((m) => m.kind === 'create' && m.toOpenId === od);

  it('says nothing before 1 November, then warns the OD daily that 2027 is not loaded', async () => {
    const before = await runReminderTick(bot.app.deps, { now });
    expect(before.digests.filter((d) => d.kind === 'od')).toEqual([]);

    now = at('2026-11-02T10:00:00');
    const res = await runReminderTick(bot.app.deps, { now });
    expect(res.digests.filter((d) => d.kind === 'od').map((d) => d.recipientId)).toEqual([r.by('OD_STAFF').id]);
    const [card] = await until('the OD digest', () => (odDigests().length === 1 ? odDigests() : null));
    expect(text(card!)).toContain('2027 年法定节假日安排尚未录入：自 2027-01-01 起');
    // The reminders already planned in 2027 are flagged, with the first of them.
    const first = await bot.db.prisma.reminder.findFirstOrThrow({ where: { status: 'PENDING', sendOn: { gte: at('2027-01-01T00:00:00') } }, orderBy: { sendOn: 'asc' } });
    expect(text(card!)).toMatch(new RegExp(`已有 \\d+ 条提醒排在 2027 年（最早 ${beijingDay(first.sendOn)}）`));
  });

  it('/日历 2026 shows the package schedule with its source; /日历 2027 says it is not loaded', async () => {
    const y2026 = await botReply(bot, r.by('SECRETARY').openId, '/日历 2026');
    expect(text(y2026)).toContain('国务院办公厅公布的安排');
    expect(text(y2026)).toContain('国庆节');
    const y2027 = await botReply(bot, r.by('SECRETARY').openId, '/日历 2027');
    expect(text(y2027)).toContain('尚未录入');
    expect(text(y2027)).toContain('2027 年法定节假日安排尚未录入');
  });

  it('refuses the entry form to anyone but OD staff, and audits the refusal', async () => {
    const sec = r.by('SECRETARY').openId;
    const answer = await botReply(bot, sec, '/日历 录入 2027');
    expect(answer.content.text).toBe('只有区委组织部工作人员可以导入花名册、录入节假日安排和修改责任目录。');
    const rows = await bot.db.prisma.auditLog.findMany({ where: { actorId: sec, action: 'command:calendar', result: 'deny' } });
    expect(rows).toHaveLength(1);
  });

  it('lists every mistake of an entry in one reply and stores nothing', async () => {
    const form = await botReply(bot, od, '/日历 录入 2027');
    expect(text(form)).toContain('calendar_form');
    await bot.sandbox.userClicks({
      from: od,
      messageId: form.messageId,
      name: 'submit',
      value: { action: 'calendar.submit', year: 2027 },
      formValue: {
        holidays: '测试假期 2027-01-25 至 2027-01-29\n测试假期二 2027-01-28 至 2027-02-02\n测试假期三 2028-05-01',
        workdays: '2027-01-20',
      },
    });
    const answer = await bot.sandbox.waitFor((m) => m.parentId === form.messageId && text(m).includes('处问题'));
    expect(answer.content.text).toContain('有 3 处问题，未保存');
    expect(answer.content.text).toContain('日期重叠');
    expect(answer.content.text).toContain('不在 2027 年内');
    expect(answer.content.text).toContain('2027-01-20 是星期三：调休上班日应为周六或周日');
    expect(await bot.db.prisma.pendingChange.count()).toBe(0);
    expect(await bot.db.prisma.calendarSchedule.count()).toBe(0);
  });

  it('previews the changed days and the reminders that move, applies once on a double confirm, and re-dates them', async () => {
    const onHoliday = await bot.db.prisma.reminder.count({ where: { status: 'PENDING', sendOn: { gte: at('2027-01-25T00:00:00'), lte: at('2027-01-29T00:00:00') } } });
    expect(onHoliday).toBeGreaterThan(0);

    const form = await botReply(bot, od, '/日历 录入 2027');
    await bot.sandbox.userClicks({
      from: od,
      messageId: form.messageId,
      name: 'submit',
      value: { action: 'calendar.submit', year: 2027 },
      formValue: { holidays: '元旦 2027-01-01\n测试假期 2027-01-25 至 2027-01-29', workdays: '2027-01-23' },
    });
    const preview = await bot.sandbox.waitFor((m) => m.parentId === form.messageId && text(m).includes('节假日安排预览'));
    expect(text(preview)).toContain('工作日变化**：7 天'); // 01-01 and 01-25…29 off, 01-23 on
    expect(text(preview)).toContain('2027-01-23（周六）：休息日 → **工作日**');
    expect(text(preview)).toMatch(/已排定的提醒改期\*\*：[1-9]\d* 条/);
    expect(await bot.db.prisma.calendarSchedule.count()).toBe(0); // a preview changes nothing

    const change = await bot.db.prisma.pendingChange.findFirstOrThrow({ where: { kind: 'calendar' } });
    const click = () => bot.sandbox.userClicks({ from: od, messageId: preview.messageId, value: { action: 'calendar.confirm', changeId: change.id, hash: change.contentHash } });
    await Promise.all([click(), click()]);
    const answers = () => bot.sandbox.sent().filter((m) => m.parentId === preview.messageId);
    await until('both answers to the confirmations', () => answers().length === 2);
    await settled(bot); // a third answer would be counted now
    const replies = answers();
    expect(replies.filter((m) => m.content.text?.includes('已生效（第'))).toHaveLength(1);
    expect(replies.filter((m) => m.content.text?.includes('已经确认生效过，不会重复执行'))).toHaveLength(1);
    expect(await bot.db.prisma.calendarSchedule.count()).toBe(1);
    const audits = await bot.db.prisma.auditLog.findMany({ where: { action: 'calendar.confirm', actorId: od } });
    expect(audits).toHaveLength(1);
    expect((audits[0]!.detail as { redated: number }).redated).toBeGreaterThan(0);

    // No planned reminder falls on a day off any more; the make-up Saturday counts as a working day.
    const cal = bot.app.deps.calendar;
    expect(isWorkingDay('2027-01-25', cal)).toBe(false);
    expect(isWorkingDay('2027-01-23', cal)).toBe(true);
    const pending = await bot.db.prisma.reminder.findMany({ where: { status: 'PENDING', sendOn: { gte: at('2027-01-01T00:00:00'), lt: at('2027-02-01T00:00:00') } } });
    expect(pending.length).toBeGreaterThan(0);
    expect(pending.filter((p) => !isWorkingDay(beijingDay(p.sendOn), cal))).toEqual([]);

    const y2027 = await botReply(bot, r.by('SECRETARY').openId, '/日历 2027');
    expect(text(y2027)).toContain(`区委组织部 ${r.by('OD_STAFF').name} 于 2026-11-02 录入（第 1 版）`);
    expect(text(y2027)).toContain('测试假期：2027-01-25（周一） 至 2027-01-29（周五），共 5 天');
    expect(text(y2027)).not.toContain('尚未录入');
  });

  it('is in force in a second running replica without a restart', async () => {
    // A replica started before the next entry: it must pick the entry up from PostgreSQL.
    replica = await startReplica(bot);
    expect(replica.deps.calendar.knownYears.has(2027)).toBe(true);
    expect(replica.deps.calendar.knownYears.has(2028)).toBe(false);

    // The OD sends the override file for 2028; confirmed through the first replica.
    await bot.sandbox.userSends({
      from: od,
      file: { fileName: 'calendar-overrides.json', bytes: Buffer.from(JSON.stringify({ '2028': { holidays: ['2028-01-01', '2028-01-02', '2028-01-03'], workdays: [] } })) },
    });
    const preview = await bot.sandbox.waitFor((m) => text(m).includes('2028 年节假日安排预览'));
    const change = await bot.db.prisma.pendingChange.findFirstOrThrow({ where: { kind: 'calendar', status: 'PENDING' } });
    await bot.sandbox.userClicks({ from: od, messageId: preview.messageId, value: { action: 'calendar.confirm', changeId: change.id, hash: change.contentHash } });
    await until('the replica to know 2028', () => replica!.deps.calendar.knownYears.has(2028));
    expect(isWorkingDay('2028-01-03', replica.deps.calendar)).toBe(false);
    expect(replica.deps.calendar.sources.get(2028)).toMatchObject({ kind: 'od', by: od });
  });

  it('refuses a broken override file with its line, and a non-OD sender of a file with an audit row', async () => {
    const bad = await bot.sandbox.userSends({ from: od, file: { fileName: 'calendar-overrides.json', bytes: Buffer.from('{\n  "2029": { "holidays": ["2029-02-30"] }\n}') } });
    const answer = await bot.sandbox.waitFor((m) => m.parentId === bad);
    expect(answer.content.text).toContain('节假日配置文件有误，未保存');
    expect(answer.content.text).toContain('第 2 行');

    const sec = r.by('SECRETARY').openId;
    const sent = await bot.sandbox.userSends({ from: sec, file: { fileName: 'calendar-overrides.json', bytes: Buffer.from('{}') } });
    const refusal = await bot.sandbox.waitFor((m) => m.parentId === sent);
    expect(refusal.content.text).toContain('仅限区委组织部工作人员');
    const rows = await bot.db.prisma.auditLog.findMany({ where: { actorId: sec, action: 'file.receive' } });
    expect(rows.map((x) => x.result)).toEqual(['deny']);
  });

  it('stops warning once next year is loaded', async () => {
    now = at('2026-11-03T10:00:00');
    const res = await runReminderTick(bot.app.deps, { now });
    expect(res.digests.filter((d) => d.kind === 'od')).toEqual([]);
    const y = await botReply(bot, od, '/日历');
    expect(text(y)).not.toContain('尚未录入');
  });
});
