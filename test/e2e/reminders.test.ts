// Reminders end to end: roster and obligations in PostgreSQL, the tick, the queue on Redis, the
// worker, the real Lark SDK against the sandbox. Time moves through the bot's clock.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateObligations } from '../../src/obligations/generate.js';
import { runReminderTick } from '../../src/reminders/tick.js';
import { materialiseReminders } from '../../src/reminders/materialise.js';
import type { SentMessage } from '../../src/sandbox/index.js';
import { settled, startTestBot, until, type TestBot } from '../helpers/bot.js';
import { seedRoster, type SeededRoster } from '../helpers/reminders.js';

const run = promisify(execFile);
const at = (s: string) => new Date(`${s}+08:00`);
const text = (m: SentMessage) => JSON.stringify(m.content);

/** Wait until `pred` has matched `n` messages and the bot has nothing left to do (so that a further one would be counted too); all that match. */
async function settle(bot: TestBot, pred: (m: SentMessage) => boolean, n: number): Promise<SentMessage[]> {
  await until(`${n} matching message(s)`, () => bot.sandbox.sent().filter(pred).length >= n);
  await settled(bot);
  return bot.sandbox.sent().filter(pred);
}

const created = (openId: string) => (m: SentMessage) => m.kind === 'create' && m.toOpenId === openId;

describe('reminders before a duty is due', () => {
  let bot: TestBot;
  let now = at('2026-11-02T09:00:00');
  let r: SeededRoster;

  beforeAll(async () => {
    bot = await startTestBot({ clock: () => now, sandbox: { users: [] } });
    r = await seedRoster(bot.db.prisma);
    for (const u of r.users) bot.sandbox.addUser(u);
    const { catalog } = bot.app.deps;
    await generateObligations(bot.db.prisma, { year: 2026, now, catalog: catalog.current });
  });
  afterAll(async () => bot?.close());

  const tick = (iso: string) => {
    now = at(iso);
    return runReminderTick(bot.app.deps, { now });
  };

  it('plans the reminders and sends nothing before the first reminder day, nor at night', async () => {
    const first = await tick('2026-11-02T10:00:00');
    expect(first.planned.obligations).toBe(14);
    expect(first.planned.created).toBeGreaterThan(0);
    expect(first.digests).toEqual([]);
    const night = await tick('2026-11-23T07:30:00');
    expect(night.sending).toBe(false);
    await settled(bot);
    expect(bot.sandbox.sent()).toEqual([]);
  });

  it('reminds each secretary once, five working days before month end, with one card for all that is due', async () => {
    const res = await tick('2026-11-23T10:00:00');
    const s1 = r.by('SECRETARY', 0);
    const s2 = r.by('SECRETARY', 1);
    expect(res.digests.map((d) => d.recipientId).sort()).toEqual([s1.id, s2.id].sort());

    for (const s of [s1, s2]) {
      const [card, ...more] = await settle(bot, created(s.openId), 1);
      expect(more).toEqual([]);
      expect(card!.msgType).toBe('interactive');
      const t = text(card!);
      expect(t).toContain('党建责任到期提醒');
      expect(t).toContain(`${s.name}，您好`);
      expect(t).toContain('2026年11月 到基层联系点检查指导');
      expect(t).toContain('截止：2026年11月30日（星期一）');
      expect(t).toContain('还剩 5 个工作日');
      expect(t).toContain('四(二)1');
      expect(t).toContain('每月到基层联系点检查指导工作不少于1次');
      expect(t).toContain('直接回复本消息即可记录完成情况，可附照片');
      const nov = await bot.db.prisma.obligation.findFirstOrThrow({ where: { personId: s.id, ruleCode: 'LIAISON_VISIT_SECRETARY', periodKey: '2026-11' } });
      expect(t).toContain(JSON.stringify({ action: 'report.open', obligationId: nov.id }));
      expect(t).toContain(JSON.stringify({ action: 'obligation.detail', obligationId: nov.id }));

      // The contract with the report side: a reply to this message is about these obligations.
      const rows = await bot.db.prisma.reminder.findMany({ where: { messageId: card!.messageId } });
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.every((x) => x.status === 'SENT' && x.recipientId === s.id)).toBe(true);
      expect(rows.map((x) => x.obligationId)).toContain(nov.id);
    }
    // Deputies, members and staff owe nothing due this week.
    for (const p of r.people.filter((p) => p.role !== 'SECRETARY')) expect(bot.sandbox.sent().filter(created(p.openId))).toEqual([]);
  });

  it('sends nothing more the same day, however often it ticks', async () => {
    const before = bot.sandbox.sent().length;
    await Promise.all([tick('2026-11-23T10:05:00'), runReminderTick(bot.app.deps, { now: at('2026-11-23T10:05:00') })]);
    await tick('2026-11-23T16:00:00');
    await settled(bot);
    expect(bot.sandbox.sent().length).toBe(before);
    expect(bot.sandbox.stats().duplicateUuids).toBe(0);
  });

  it('does not remind a duty already reported; the CLI shows the day and sends it', async () => {
    const s1 = r.by('SECRETARY', 0);
    const s2 = r.by('SECRETARY', 1);
    // Secretary 2 has reported November's visit (what the report side does when an answer comes in).
    await bot.db.prisma.obligation.updateMany({ where: { personId: s2.id, ruleCode: 'LIAISON_VISIT_SECRETARY', periodKey: '2026-11' }, data: { status: 'DONE', doneCount: 1 } });

    const env = {
      ...process.env,
      DATABASE_URL: bot.db.url,
      LARK_APP_ID: bot.sandbox.appId,
      LARK_APP_SECRET: bot.sandbox.appSecret,
      LARK_DOMAIN: bot.sandbox.baseUrl,
      LARK_ENCRYPT_KEY: bot.sandbox.encryptKey,
      REDIS_URL: '',
      LOG_LEVEL: 'error',
    };
    const cli = (...args: string[]) => run(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', 'tick', ...args], { env, timeout: 60_000 });
    const sentBefore = bot.sandbox.sent().length;
    const dry = await cli('--at', '2026-11-27T09:30:00+08:00', '--dry-run');
    expect(dry.stdout).toContain('提醒计划 2026年11月27日（星期五） 09:30（北京时间）');
    expect(dry.stdout).toContain('将发送 1 张卡片（试运行');
    expect(dry.stdout).toContain(`${s1.name}（2026-11-27） 1 项：`);
    expect(dry.stdout).toContain('· [截止前 1 个工作日] 2026年11月 到基层联系点检查指导');
    expect(dry.stdout).not.toContain(s2.name);
    expect(await bot.db.prisma.reminderDigest.count({ where: { day: at('2026-11-27T00:00:00') } })).toBe(0);
    expect(bot.sandbox.sent().length).toBe(sentBefore);

    const real = await cli('--at', '2026-11-27T09:30:00+08:00');
    expect(real.stdout).toContain('发送 1 张卡片：');
    expect(real.stdout).toMatch(/→ 已发送（om_/);
    const [card] = await settle(bot, (m) => created(s1.openId)(m) && text(m).includes('还剩 1 个工作日'), 1);
    expect(text(card!)).toContain('2026年11月 到基层联系点检查指导');
    expect(bot.sandbox.sent().filter(created(s2.openId))).toHaveLength(1); // only Monday's
    const skipped = await bot.db.prisma.reminder.findFirstOrThrow({ where: { recipientId: s2.id, stage: 'before-1', obligation: { periodKey: '2026-11', ruleCode: 'LIAISON_VISIT_SECRETARY' } } });
    expect(skipped.status).toBe('SKIPPED');
  });
});

describe('what is late is chased, up the hierarchy', () => {
  let bot: TestBot;
  let now = at('2026-09-01T09:00:00');
  let r: SeededRoster;

  beforeAll(async () => {
    bot = await startTestBot({ clock: () => now, sandbox: { users: [] }, env: { URGENT_AFTER_WORKING_DAYS: '3' } });
    r = await seedRoster(bot.db.prisma);
    for (const u of r.users) bot.sandbox.addUser(u);
    const { catalog, calendar } = bot.app.deps;
    await generateObligations(bot.db.prisma, { year: 2026, now, catalog: catalog.current });
    await materialiseReminders(bot.db.prisma, { catalog: catalog.current, calendar, now });
  });
  afterAll(async () => bot?.close());

  const tick = (iso: string) => {
    now = at(iso);
    return runReminderTick(bot.app.deps, { now });
  };

  it('the first working day after the due day (after National Day) tells the owners it is overdue', async () => {
    // Nobody ticked in September (the bot was off): the before-reminders of duties now past due are dropped.
    const res = await tick('2026-10-08T09:30:00');
    expect(res.skipped['past-due']).toBeGreaterThan(0);
    const d1 = r.by('DEPUTY', 0);
    const m1 = r.by('MEMBER', 0);
    const s1 = r.by('SECRETARY', 0);
    const st1 = r.by('STAFF', 0);

    const [dCard, ...dMore] = await settle(bot, created(d1.openId), 1);
    expect(dMore).toEqual([]);
    expect(text(dCard!)).toContain('党建责任逾期提醒');
    expect(text(dCard!)).toContain('2026年第三季度 深入基层联系点具体指导');
    expect(text(dCard!)).toContain('已逾期 1 个工作日');
    expect(text(dCard!)).toContain('请尽快完成并报告');
    expect(await settle(bot, created(m1.openId), 1)).toHaveLength(1);

    // The secretary: September's visit and the unit's Q3 meeting, on one card.
    const [sCard, ...sMore] = await settle(bot, created(s1.openId), 1);
    expect(sMore).toEqual([]);
    expect(text(sCard!)).toContain('2026年9月 到基层联系点检查指导');
    expect(text(sCard!)).toContain('2026年第三季度 基层党建工作会议');
    expect(text(sCard!)).toContain('这是本单位的责任，由您负总责');
    // The staff who organise the meeting are told too.
    const [stCard] = await settle(bot, created(st1.openId), 1);
    expect(text(stCard!)).toContain('您负责组织本单位的这项工作');
    expect(text(stCard!)).not.toContain('到基层联系点检查指导');

    // The organisation department: one digest, per unit.
    const od = r.by('OD_STAFF');
    const [odCard, ...odMore] = await settle(bot, created(od.openId), 1);
    expect(odMore).toEqual([]);
    expect(text(odCard!)).toContain('逾期责任日报');
    for (const u of r.units) expect(text(odCard!)).toContain(u.name);
    // One working day late is below the urgent threshold (3).
    expect(bot.sandbox.sent().filter((m) => m.kind === 'urgent')).toEqual([]);
  });

  it('after escalateAfterWorkingDays the secretary is told about his people; the OD gets the next daily digest', async () => {
    // Unit 2's deputy has reported in the meantime.
    const d2 = r.by('DEPUTY', 1);
    await bot.db.prisma.obligation.updateMany({ where: { personId: d2.id, ruleCode: 'LIAISON_VISIT_LEADER', periodKey: '2026-Q3' }, data: { status: 'DONE', doneCount: 1, late: true } });

    await tick('2026-10-09T10:00:00'); // nothing new for people; the OD's digest of the day
    await tick('2026-10-10T09:30:00'); // a make-up Saturday: three working days after 30 September
    const s1 = r.by('SECRETARY', 0);
    const s2 = r.by('SECRETARY', 1);
    const esc1 = await settle(bot, (m) => created(s1.openId)(m) && text(m).includes('逾期督办'), 1);
    expect(esc1).toHaveLength(1);
    const t1 = text(esc1[0]!);
    expect(t1).toContain(`责任人：${r.by('DEPUTY', 0).name}`);
    expect(t1).toContain(`责任人：${r.by('MEMBER', 0).name}`);
    expect(t1).toContain('已逾期 3 个工作日');
    expect(t1).toContain('请督促责任人');
    expect(t1).not.toContain('report.open');

    const esc2 = await settle(bot, (m) => created(s2.openId)(m) && text(m).includes('逾期督办'), 1);
    expect(text(esc2[0]!)).toContain(`责任人：${r.by('MEMBER', 1).name}`);
    expect(text(esc2[0]!)).not.toContain(d2.name);

    // Urgent push (URGENT_AFTER_WORKING_DAYS=3) on the escalation cards, to the secretaries.
    const urgent = await settle(bot, (m) => m.kind === 'urgent', 2);
    expect(urgent.map((m) => m.toOpenId).sort()).toEqual([s1.openId, s2.openId].sort());
    expect(urgent.map((m) => m.messageId).sort()).toEqual([esc1[0]!.messageId, esc2[0]!.messageId].sort());

    // Owners are not told twice; the OD gets one digest per working day (8th, 9th, 10th).
    expect(bot.sandbox.sent().filter(created(r.by('DEPUTY', 0).openId))).toHaveLength(1);
    const od = await settle(bot, created(r.by('OD_STAFF').openId), 3);
    expect(od).toHaveLength(3);
    expect(text(od[2]!)).toContain('2026年10月10日');
    expect(bot.sandbox.stats().duplicateUuids).toBe(0);
  });

  it('records every send: the digest and each reminder carry the Lark message_id', async () => {
    const digests = await bot.db.prisma.reminderDigest.findMany();
    expect(digests.every((d) => d.status === 'SENT' && d.messageId?.startsWith('om_'))).toBe(true);
    const unsent = await bot.db.prisma.reminder.count({ where: { status: { in: ['CLAIMED'] } } });
    expect(unsent).toBe(0);
    const sent = await bot.db.prisma.reminder.findMany({ where: { status: 'SENT' }, include: { digest: true } });
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.every((x) => x.messageId !== null && x.messageId === x.digest?.messageId)).toBe(true);
  });
});
