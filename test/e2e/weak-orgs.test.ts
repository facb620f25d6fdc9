import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refusal } from '../../src/access/policy.js';
import { button, buttons, card, md } from '../../src/cards/card.js';
import { importRosterFile } from '../../src/import/roster-import.js';
import { generateObligations } from '../../src/obligations/generate.js';
import { IMPORT_LIFT_NOTE } from '../../src/oversight/weak-orgs.js';
import { projectPath } from '../../src/paths.js';
import { DEMO, DEMO_USERS, seedDistrict } from '../helpers/district.js';
import { startTestBot, type TestBot } from '../helpers/bot.js';

const RULE = 'WEAK_ORG_RECTIFICATION';
const months = (year: number, from = 1) => Array.from({ length: 13 - from }, (_, i) => `${year}-${String(from + i).padStart(2, '0')}`);

describe('weak-and-lax orgs: rectification records, /整顿, monthly progress reports', () => {
  let bot: TestBot;
  const seededAt = new Date('2026-01-05T09:00:00+08:00');
  const now = new Date('2026-11-25T10:00:00+08:00');

  beforeAll(async () => {
    bot = await startTestBot({ mode: 'webhook', clock: () => now, sandbox: { users: DEMO_USERS } });
    await seedDistrict(bot.db.prisma, 2026, seededAt);
  }, 120_000);
  afterAll(async () => bot?.close());

  const db = () => bot.db.prisma;
  const org = (code: string) => db().grassrootsOrg.findUniqueOrThrow({ where: { code }, include: { unit: true } });
  const recordsOf = async (code: string) => db().weakOrgRectification.findMany({ where: { orgId: (await org(code)).id }, orderBy: { id: 'asc' } });
  const obligationsOf = (recordId: number) => db().obligation.findMany({ where: { subjectKey: `weak:${recordId}` }, orderBy: { dueAt: 'asc' } });
  const generate = (year = 2026) => generateObligations(db(), { year, now, catalog: bot.app.deps.catalog.current });

  async function ask(openId: string, text: string) {
    const messageId = await bot.sandbox.userSends({ from: openId, text });
    const reply = await bot.sandbox.waitFor((m) => m.parentId === messageId, 10_000);
    return { messageId, json: JSON.stringify(reply.content), text: String(reply.content.text ?? '') };
  }

  async function auditOf(messageId: string) {
    for (let i = 0; ; i++) {
      const rows = await db().auditLog.findMany({ where: { detail: { path: ['messageId'], equals: messageId } } });
      if (rows.length || i >= 50) return rows;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it('the demo district’s three weak orgs each have an open record and a progress report owed every month', async () => {
    for (const code of ['G0102', 'G0202', 'G0302']) {
      const o = await org(code);
      const [record, ...more] = await recordsOf(code);
      expect(more).toEqual([]);
      expect(record).toMatchObject({ since: seededAt, liftedAt: null });
      const secretary = await db().person.findFirstOrThrow({ where: { unitId: o.unitId, role: 'SECRETARY' } });
      const obs = await obligationsOf(record!.id);
      expect(obs.map((ob) => ob.periodKey)).toEqual(months(2026));
      expect(obs.every((ob) => ob.ruleCode === RULE && ob.ownerKey === `u${o.unitId}` && ob.personId === secretary.id && ob.status === 'OPEN')).toBe(true);
      expect(obs[11]!.title).toBe(`2026年12月 ${o.name}软弱涣散整顿进展`);
      expect(obs[11]!.dueAt.toISOString()).toBe('2026-12-31T15:59:59.999Z');
    }
    expect(await db().weakOrgRectification.count()).toBe(3);
  });

  it('/整顿 lists every open record for the OD, own unit’s for a secretary, and refuses a member', async () => {
    const od = await ask(DEMO.odStaff.openId, '/整顿');
    expect(od.json).toContain('软弱涣散党组织整顿（3 个）');
    for (const name of ['东岸镇东风村党支部', '西林镇上涌村党支部', '南城街道华口社区党委']) expect(od.json).toContain(name);
    expect(od.json).toContain('自 2026-01-05 起整顿，已 10 个月');
    expect(od.json).toContain('已报 0 次 / 应报 10 次');
    expect(od.json).toContain('逾期 10 次');
    expect(od.json).toContain('尚未报告');
    expect(od.json).toMatch(/联系领导：[^"]*梁振华（镇党委书记）/);
    expect(od.json).toMatch(/联系领导：[^"]*李国强（区委常委、组织部部长）/);
    expect(od.json).toContain('/整顿 销号');

    const sec = await ask(DEMO.secretary.openId, '/rectify');
    expect(sec.json).toContain('软弱涣散党组织整顿（1 个）');
    expect(sec.json).toContain('东岸镇东风村党支部');
    expect(sec.json).not.toContain('上涌村');
    expect(sec.json).not.toContain('/整顿 销号');

    const member = await ask(DEMO.member.openId, '/整顿');
    expect(member.text).toBe(refusal('unit.view'));
  });

  it('a reply to the monthly reminder is stored as that month’s progress report', async () => {
    const [record] = await recordsOf('G0102');
    const nov = (await obligationsOf(record!.id)).find((ob) => ob.periodKey === '2026-11')!;
    const sec = await db().person.findUniqueOrThrow({ where: { code: DEMO.secretary.code } });
    // A reminder as the reminder sender leaves it: a card and Reminder rows pointing at it.
    const { messageId: reminder } = await bot.app.deps.messenger.card(
      { openId: DEMO.secretary.openId },
      card({ title: '党建责任到期提醒', elements: [md(nov.title), buttons(button('填写报告', { action: 'report.open', obligationId: nov.id }))] }),
      { purpose: 'test-reminder', key: 'weak-nov' },
    );
    await db().reminder.create({ data: { obligationId: nov.id, stage: 'test', recipientId: sec.id, sendOn: now, status: 'SENT', messageId: reminder } });

    const reply = await bot.sandbox.userSends({
      from: DEMO.secretary.openId,
      parentId: reminder,
      text: '11月20日，本期整顿措施：调整充实支部班子，开展党员集中学习；取得的成效和存在的问题：组织生活恢复正常，村务公开仍需加强',
    });
    const confirm = await bot.sandbox.waitFor((m) => m.parentId === reply, 10_000);
    expect(JSON.stringify(confirm.content)).toContain('已记录完成情况');
    const after = await db().obligation.findUniqueOrThrow({ where: { id: nov.id }, include: { reports: true } });
    expect(after.status).toBe('DONE');
    expect(after.reports).toHaveLength(1);
    expect(after.reports[0]!.fields).toMatchObject({ reportDate: '2026-11-20' });
    expect(JSON.stringify(after.reports[0]!.fields)).toContain('调整充实支部班子');

    const list = await ask(DEMO.secretary.openId, '/整顿');
    expect(list.json).toContain('已报 1 次 / 应报 11 次');
    expect(list.json).toContain('逾期 10 次');
    expect(list.json).not.toContain('尚未报告');
  });

  it('/汇报 with the duty picked from the list is stored the same way (late, for a past month)', async () => {
    const [record] = await recordsOf('G0202');
    const jan = (await obligationsOf(record!.id)).find((ob) => ob.periodKey === '2026-01')!;
    const messageId = await bot.sandbox.userSends({ from: DEMO.otherSecretary.openId, text: '/汇报 1月整顿措施：召开支部党员大会，补选支部委员' });
    const pick = await bot.sandbox.waitFor((m) => m.parentId === messageId, 10_000);
    expect(JSON.stringify(pick.content)).toContain(jan.title);
    await bot.sandbox.userClicks({ from: DEMO.otherSecretary.openId, messageId: pick.messageId, value: { action: 'report.pick', obligationId: jan.id, source: messageId } });
    await bot.sandbox.waitFor((m) => m.parentId === messageId && JSON.stringify(m.content).includes('已记录完成情况'), 10_000);
    const after = await db().obligation.findUniqueOrThrow({ where: { id: jan.id } });
    expect(after).toMatchObject({ status: 'DONE', late: true });
  });

  it('only OD staff may lift a mark: anyone else is refused, and the audit log says deny', async () => {
    const { messageId, text } = await ask(DEMO.secretary.openId, '/整顿 销号 东风村 已完成整顿');
    expect(text).toBe(refusal('weakorg.mark'));
    expect((await auditOf(messageId)).map((r) => `${r.action} ${r.result}`)).toEqual(['command:rectify deny']);
    expect((await recordsOf('G0102'))[0]!.liftedAt).toBeNull();
    const mark = await ask(DEMO.otherSecretary.openId, '/整顿 标记 G0101');
    expect(mark.text).toBe(refusal('weakorg.mark'));
  });

  it('an unknown or ambiguous org gets a clear answer with candidates', async () => {
    const ambiguous = await ask(DEMO.odStaff.openId, '/整顿 销号 社区');
    expect(ambiguous.text).toContain('“社区”对应多个基层党组织');
    expect(ambiguous.text).toContain('东岸镇海景社区党委（G0103）');
    const unknown = await ask(DEMO.odStaff.openId, '/整顿 销号 火星村');
    expect(unknown.text).toContain('没有找到“火星村”这个基层党组织');
    const none = await ask(DEMO.odStaff.openId, '/整顿 销号');
    expect(none.text).toContain('请写明组织编号或名称');
    const notWeak = await ask(DEMO.odStaff.openId, '/整顿 销号 G0101');
    expect(notWeak.text).toBe('东岸镇新围村党委目前没有被标记为软弱涣散党组织，无需销号。');
  });

  it('OD staff lifts a mark: the record closes, its open reports are cancelled, the secretary is told, /整顿 drops it', async () => {
    const { messageId, text } = await ask(DEMO.odStaff.openId, '/整顿 销号 东风村 班子配强，组织生活正常');
    expect(text).toContain('已为东岸镇东风村党支部（东岸镇党委）销号');
    expect(text).toContain('已通知书记：梁振华');
    expect((await auditOf(messageId)).map((r) => `${r.action} ${r.result}`)).toEqual(['command:rectify ok']);

    const od = await db().person.findUniqueOrThrow({ where: { code: DEMO.odStaff.code } });
    const [record] = await recordsOf('G0102');
    expect(record).toMatchObject({ liftedAt: now, liftedById: od.id, liftNote: '班子配强，组织生活正常' });
    expect((await org('G0102')).weakLax).toBe(false);
    const obs = await obligationsOf(record!.id);
    expect(obs.filter((ob) => ob.status === 'DONE').map((ob) => ob.periodKey)).toEqual(['2026-11']);
    // Reports not yet due are cancelled; those that fell due while the org was marked and never came stay overdue.
    const notDone = obs.filter((ob) => ob.status !== 'DONE');
    expect(notDone.filter((ob) => ob.dueAt > now).every((ob) => ob.status === 'CANCELLED')).toBe(true);
    expect(notDone.filter((ob) => ob.dueAt <= now).map((ob) => `${ob.periodKey} ${ob.status}`)).toEqual(
      ['01', '02', '03', '04', '05', '06', '07', '08', '09', '10'].map((m) => `2026-${m} OPEN`),
    );
    const cancelled = notDone.filter((ob) => ob.status === 'CANCELLED').length;
    expect(cancelled).toBeGreaterThan(0);
    expect(text).toContain(`取消尚未到期的整顿进展报告 ${cancelled} 项（此前逾期未报的仍计入考核）`);

    const told = await bot.sandbox.waitFor((m) => m.toOpenId === DEMO.secretary.openId && !m.parentId && String(m.content.text ?? '').includes('销号'));
    expect(told.content.text).toContain('区委组织部已为东岸镇东风村党支部的软弱涣散党组织整顿销号（自 2026-01-05 起整顿，已 10 个月）');
    expect(told.content.text).toContain('说明：班子配强，组织生活正常');

    const list = await ask(DEMO.odStaff.openId, '/整顿');
    expect(list.json).toContain('软弱涣散党组织整顿（2 个）');
    expect(list.json).not.toContain('东风村');
    const again = await ask(DEMO.odStaff.openId, '/整顿 销号 G0102');
    expect(again.text).toContain('目前没有被标记为软弱涣散党组织');
  });

  it('OD staff marks an org: a record from now, progress owed from the first month due 15 days on', async () => {
    const { text } = await ask(DEMO.odStaff.openId, '/整顿 标记 新围村');
    expect(text).toBe('已将东岸镇新围村党委（东岸镇党委）标记为软弱涣散党组织，自 2026-11-25 起整顿。东岸镇党委须每月报告一次整顿进展，第一次为 2026-12（2026-12-31 前），直至区委组织部销号。');
    const o = await org('G0101');
    expect(o).toMatchObject({ weakLax: true, weakLaxSince: now });
    const [record, ...more] = await recordsOf('G0101');
    expect(more).toEqual([]);
    expect(record).toMatchObject({ since: now, liftedAt: null });
    const obs = await obligationsOf(record!.id);
    expect(obs.map((ob) => `${ob.periodKey} ${ob.title} ${ob.status}`)).toEqual(['2026-12 2026年12月 东岸镇新围村党委软弱涣散整顿进展 OPEN']);

    const again = await ask(DEMO.odStaff.openId, '/整顿 标记 G0101');
    expect(again.text).toBe('东岸镇新围村党委已被标记为软弱涣散党组织（自 2026-11-25 起），正在整顿中。');
    expect(await recordsOf('G0101')).toHaveLength(1);
  });

  it('running generation again creates nothing; next year’s run plans the open records’ twelve months', async () => {
    const records = await db().weakOrgRectification.count();
    const obligations = await db().obligation.count();
    expect((await generate()).created).toBe(0);
    expect((await generate()).created).toBe(0);
    expect(await db().weakOrgRectification.count()).toBe(records);
    expect(await db().obligation.count()).toBe(obligations);
    expect((await recordsOf('G0102'))[0]!.liftedAt).toEqual(now); // lifted stays lifted

    await generate(2027);
    const open = await db().weakOrgRectification.findMany({ where: { liftedAt: null } });
    expect(open).toHaveLength(3);
    for (const r of open) expect((await obligationsOf(r.id)).filter((ob) => ob.periodKey.startsWith('2027')).map((ob) => ob.periodKey)).toEqual(months(2027));
    const before = await db().obligation.count();
    expect((await generate(2027)).created).toBe(0);
    expect(await db().obligation.count()).toBe(before);
  });

  it('a roster re-import with 否 lifts the record at the next generation and cancels its reports not yet due', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'weak-roster-'));
    cpSync(projectPath('templates', 'import', 'roster-csv'), dir, { recursive: true });
    const file = path.join(dir, '基层党组织.csv');
    const edited = readFileSync(file, 'utf8')
      .split('\n')
      .map((l) => (l.startsWith('G0302,') || l.startsWith('G0102,') ? l.replace(/,是(\r?)$/, ',否$1') : l.startsWith('G0101,') ? l.replace(/,否(\r?)$/, ',是$1') : l));
    writeFileSync(file, edited.join('\n'));
    await importRosterFile(db(), dir, { now });
    const r = await generate();

    const [huakou] = await recordsOf('G0302');
    expect(huakou).toMatchObject({ liftedAt: now, liftedById: null, liftNote: IMPORT_LIFT_NOTE });
    const obs = await obligationsOf(huakou!.id);
    // What is not yet due is cancelled; what fell due while marked stays open (overdue).
    expect(obs.filter((ob) => ob.status === 'OPEN' && ob.dueAt > now)).toEqual([]);
    expect(obs.filter((ob) => ob.status === 'OPEN').every((ob) => ob.dueAt <= now)).toBe(true);
    expect(r.cancelled).toBeGreaterThanOrEqual(13); // December 2026 and 2027's twelve, at least
    expect(await recordsOf('G0101')).toHaveLength(1); // still marked, same record
    expect((await recordsOf('G0101'))[0]!.liftedAt).toBeNull();
    expect(await db().weakOrgRectification.count({ where: { liftedAt: null } })).toBe(2);
  });
});
