import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refusal } from '../../src/access/policy.js';
import { DEMO, DEMO_USERS, seedDistrict } from '../helpers/district.js';
import { startTestBot, type TestBot } from '../helpers/bot.js';

type Card = { schema: string; header: { title: { content: string }; template: string }; body: { elements: Array<Record<string, unknown>> } };

describe('oversight: /待办, /单位, /统计 and the plain questions', () => {
  let bot: TestBot;
  const now = new Date('2026-11-25T10:00:00+08:00');
  const yearStart = new Date('2026-01-01T00:00:00+08:00');
  const yearEnd = new Date('2027-01-01T00:00:00+08:00');

  beforeAll(async () => {
    bot = await startTestBot({ mode: 'webhook', clock: () => now, sandbox: { users: DEMO_USERS } });
    const db = bot.db.prisma;
    await seedDistrict(db, 2026, new Date('2026-01-05T09:00:00+08:00'));
    // Some records: the secretary visited his liaison point in November (on time) and October (late);
    // the other secretary's unit held its Q4 work meeting.
    const sec = await db.person.findUniqueOrThrow({ where: { code: DEMO.secretary.code } });
    await db.obligation.updateMany({ where: { personId: sec.id, ruleCode: 'LIAISON_VISIT_SECRETARY', periodKey: '2026-11' }, data: { status: 'DONE', doneCount: 1, completedAt: now } });
    await db.obligation.updateMany({ where: { personId: sec.id, ruleCode: 'LIAISON_VISIT_SECRETARY', periodKey: '2026-10' }, data: { status: 'DONE', doneCount: 1, completedAt: now, late: true } });
    const other = await db.person.findUniqueOrThrow({ where: { code: DEMO.otherSecretary.code } });
    await db.obligation.updateMany({ where: { unitId: other.unitId, ruleCode: 'QUARTERLY_WORK_MEETING', periodKey: '2026-Q4' }, data: { status: 'DONE', doneCount: 1, completedAt: now } });
  }, 120_000);
  afterAll(async () => bot?.close());

  const unitOf = async (code: string) => (await bot.db.prisma.person.findUniqueOrThrow({ where: { code }, include: { unit: true } })).unit;

  async function ask(openId: string, text: string): Promise<{ messageId: string; content: Record<string, unknown>; json: string }> {
    const messageId = await bot.sandbox.userSends({ from: openId, text });
    const reply = await bot.sandbox.waitFor((m) => m.parentId === messageId, 10_000);
    return { messageId, content: reply.content as Record<string, unknown>, json: JSON.stringify(reply.content) };
  }

  /** The audit rows of a message; the 'ok' row is written just after the reply, so wait a little for it. */
  async function auditOf(messageId: string) {
    for (let i = 0; ; i++) {
      const rows = await bot.db.prisma.auditLog.findMany({ where: { detail: { path: ['messageId'], equals: messageId } } });
      if (rows.length || i >= 50) return rows;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it('/待办 lists a member’s own open duties, this period’s first with due date, days, basis and 填写报告, the overdue ones grouped with a count', async () => {
    const member = await bot.db.prisma.person.findUniqueOrThrow({ where: { code: DEMO.member.code } });
    const open = await bot.db.prisma.obligation.findMany({ where: { personId: member.id, status: 'OPEN', periodStart: { lte: now } }, orderBy: { dueAt: 'asc' } });
    expect(open.length).toBeGreaterThan(0);
    const { json, content } = await ask(DEMO.member.openId, '/待办');
    const card = content as unknown as Card;
    expect(card.schema).toBe('2.0');
    expect(card.header.title.content).toBe(`${DEMO.member.name}的待办`);
    expect(json).toContain(open[0]!.title);
    expect(json).not.toContain('其他未完成事项');
    expect(json).not.toContain('全区逾期事项最多的单位');
    const overdue = open.filter((o) => o.dueAt < now);
    const notYet = open.filter((o) => o.dueAt >= now);
    if (notYet.length) {
      expect(json).toContain('截止：');
      expect(json).toContain('依据：');
      expect(json).toMatch(/还剩 \d+ 个工作日|今天截止/);
      expect(json).toContain(JSON.stringify({ action: 'report.open', obligationId: notYet[0]!.id }));
    }
    if (overdue.length) {
      expect(json).toContain(`已逾期 ${overdue.length} 项`);
      expect(json).toContain('/责任清单 逾期');
      if (notYet.length) expect(json.indexOf(notYet[0]!.title)).toBeLessThan(json.indexOf(overdue[0]!.title));
    }
    if (overdue.length) expect(card.header.template).toBe('red');
    else expect(card.header.template).not.toBe('red');
  });

  it('the plain question 我还有什么没完成 gets the same answer', async () => {
    const { json } = await ask(DEMO.member.openId, '我还有什么没完成？');
    expect(json).toContain(`${DEMO.member.name}的待办`);
    expect(json).toContain('report.open');
  });

  it('/待办 of a secretary adds the unit’s open items by person; of the OD, units ranked by overdue items', async () => {
    const sec = await ask(DEMO.secretary.openId, '/待办');
    const unit = await unitOf(DEMO.secretary.code);
    expect(sec.json).toContain(`${unit.name}其他未完成事项`);
    expect(sec.json).toContain(DEMO.member.name);

    const od = await ask(DEMO.odStaff.openId, '/todo');
    expect(od.json).toContain('全区逾期事项最多的单位');
    const counts = await bot.db.prisma.obligation.groupBy({ by: ['unitId'], where: { status: 'OPEN', dueAt: { lt: now } }, _count: { _all: true } });
    const top = counts.sort((a, b) => b._count._all - a._count._all)[0]!;
    const topUnit = await bot.db.prisma.unit.findUniqueOrThrow({ where: { id: top.unitId } });
    expect(od.json).toContain(`1. ${topUnit.name}　逾期 ${top._count._all} 项`);
  });

  it('/统计 for the OD: the whole district, with a JSON 2.0 chart of each unit’s rates computed from the records', async () => {
    const { content, json } = await ask(DEMO.odStaff.openId, '/统计 本年');
    const card = content as unknown as Card;
    expect(card.schema).toBe('2.0');
    expect(Array.isArray(card.body.elements)).toBe(true);
    expect(card.header.title.content).toBe('全区党建责任统计');
    const chart = card.body.elements.find((e) => e.tag === 'chart') as { chart_spec: { type: string; data: { values: unknown[] }; xField: unknown; yField: string } };
    expect(chart).toBeDefined();
    expect(chart.chart_spec.type).toBe('bar');
    expect(chart.chart_spec.yField).toBe('value');

    // Expected numbers, from the database by hand: due in 2026, not cancelled, due by now or done.
    const rows = await bot.db.prisma.obligation.findMany({ where: { dueAt: { gte: yearStart, lt: yearEnd }, status: { not: 'CANCELLED' } } });
    const units = await bot.db.prisma.unit.findMany({ where: { active: true, kind: { not: 'OD' } }, orderBy: { id: 'asc' } });
    const expected: unknown[] = [];
    for (const u of units) {
      const counted = rows.filter((r) => r.unitId === u.id && (r.status === 'DONE' || r.dueAt <= now));
      if (!counted.length) continue;
      const done = counted.filter((r) => r.status === 'DONE');
      const onTime = done.filter((r) => !r.late);
      expected.push({ name: u.name, type: '完成率', value: Math.round((done.length / counted.length) * 1000) / 10 });
      expected.push({ name: u.name, type: '按时率', value: done.length ? Math.round((onTime.length / done.length) * 1000) / 10 : 0 });
    }
    expect(expected.length).toBeGreaterThan(0);
    expect(chart.chart_spec.data.values).toEqual(expected);
    // the secretary's unit has a late visit: its on-time rate is below 100
    const secUnit = await unitOf(DEMO.secretary.code);
    expect(expected).toContainEqual({ name: secUnit.name, type: '按时率', value: 50 });

    const overdue = rows.filter((r) => r.status === 'OPEN' && r.dueAt < now);
    expect(json).toContain(`逾期 **${overdue.length}** 项`);
    expect(json).toContain('按责任类型');
    const oldest = overdue.sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime() || a.id - b.id)[0]!;
    expect(json).toContain(oldest.title);
  });

  it('/统计 for a secretary: his unit, by duty type, for the quarter', async () => {
    const unit = await unitOf(DEMO.secretary.code);
    const { content, json } = await ask(DEMO.secretary.openId, '/统计 本季度');
    const card = content as unknown as Card;
    expect(card.header.title.content).toBe(`${unit.name}党建责任统计`);
    expect(json).toContain('2026年第四季度');
    expect(json).not.toContain('按单位');
    const chart = card.body.elements.find((e) => e.tag === 'chart') as { chart_spec: { data: { values: Array<{ name: string; type: string; value: number }> } } };
    // Q4 so far: the October visit was done late, the November one on time.
    expect(chart.chart_spec.data.values).toContainEqual({ name: '到基层联系点检查指导', type: '按时率', value: 50 });
  });

  it('/统计 with a bad period answers how to write one', async () => {
    const { content } = await ask(DEMO.odStaff.openId, '/统计 上个月');
    expect(String(content.text)).toContain('无法识别的统计周期');
  });

  it('/单位 finds a unit by part of its name; the OD may see any unit, unknown names get candidates', async () => {
    const other = await unitOf(DEMO.otherSecretary.code);
    const part = other.name.slice(0, Math.min(3, other.name.length));
    const units = await bot.db.prisma.unit.findMany({ where: { active: true, kind: { not: 'OD' }, name: { contains: part } } });
    const { content, json } = await ask(DEMO.odStaff.openId, `/单位 ${units.length === 1 ? part : other.name} 本年`);
    expect((content as unknown as Card).header.title.content).toBe(`${other.name}党建责任统计`);
    expect(json).toContain('按责任类型');
    expect(json).toContain('"tag":"chart"');

    const none = await ask(DEMO.odStaff.openId, '/单位 火星党委');
    expect(String(none.content.text)).toContain('没有找到名称含“火星党委”的单位');
  });

  it('/单位 with several matches lists them', async () => {
    // the example district has two towns: 东岸镇党委 and 西林镇党委
    const { content } = await ask(DEMO.odStaff.openId, '/单位 镇');
    expect(String(content.text)).toContain('“镇”对应多个单位');
    expect(String(content.text)).toContain('东岸镇党委、西林镇党委');
  });

  it('refuses a member /统计 全区 and a secretary /单位 of another unit, and audits both as deny', async () => {
    const a = await ask(DEMO.member.openId, '/统计 全区');
    expect(a.content.text).toBe(refusal('district.view'));
    expect(await auditOf(a.messageId)).toEqual([expect.objectContaining({ actorId: DEMO.member.openId, action: 'command:stats', result: 'deny' })]);

    const b = await ask(DEMO.member.openId, '/统计');
    expect(b.content.text).toBe(refusal('unit.view'));

    const other = await unitOf(DEMO.otherSecretary.code);
    const c = await ask(DEMO.secretary.openId, `/单位 ${other.name}`);
    expect(c.content.text).toBe(refusal('unit.view'));
    expect(await auditOf(c.messageId)).toEqual([expect.objectContaining({ action: 'command:unit', result: 'deny' })]);

    const d = await ask(DEMO.member.openId, `/单位 ${other.name}`);
    expect(d.content.text).toBe(refusal('unit.view'));
    expect((await auditOf(d.messageId))[0]).toMatchObject({ result: 'deny' });

    const ok = await ask(DEMO.odStaff.openId, '/统计');
    expect(await auditOf(ok.messageId)).toEqual([expect.objectContaining({ action: 'command:stats', result: 'ok' })]);
  });

  it('哪些单位本季度还没开例会 lists the units whose Q4 work meeting is not done', async () => {
    const open = await bot.db.prisma.obligation.findMany({ where: { ruleCode: 'QUARTERLY_WORK_MEETING', periodKey: '2026-Q4', status: 'OPEN' }, include: { unit: true } });
    const names = [...new Set(open.map((o) => o.unit.name))];
    const { content, messageId } = await ask(DEMO.odStaff.openId, '哪些单位本季度还没开例会？');
    const text = String(content.text);
    expect(text).toContain('2026年第四季度');
    for (const n of names) expect(text).toContain(n);
    expect(text).not.toContain((await unitOf(DEMO.otherSecretary.code)).name);
    expect(await auditOf(messageId)).toEqual([expect.objectContaining({ action: 'question:units_without_meeting', result: 'ok' })]);
  });

  it('这个月谁没去联系点 lists the secretaries without a November visit; a member is refused', async () => {
    const { content } = await ask(DEMO.odStaff.openId, '这个月谁没去联系点');
    const text = String(content.text);
    expect(text).toContain('2026年11月');
    expect(text).toContain(DEMO.otherSecretary.name);
    expect(text).not.toContain(DEMO.secretary.name);

    const refused = await ask(DEMO.member.openId, '这个月谁没去联系点');
    expect(refused.content.text).toBe(refusal('unit.view'));
    expect(await auditOf(refused.messageId)).toEqual([expect.objectContaining({ action: 'question:missing_liaison_visit', result: 'deny' })]);
  });

  it('anything else still points to /帮助, and /帮助 lists the new commands', async () => {
    const { content } = await ask(DEMO.member.openId, '今天天气怎么样');
    expect(String(content.text)).toContain('/帮助');
    const help = await ask(DEMO.member.openId, '/帮助');
    for (const c of ['/待办', '/单位', '/统计']) expect(help.json).toContain(c);
  });
});
