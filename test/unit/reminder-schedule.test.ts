import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadCalendar } from '../../src/domain/calendar/working-days.js';
import { getRule, loadCatalog } from '../../src/domain/duties/catalog.js';
import {
  groupOverdueByUnit,
  needsUrgent,
  planTick,
  reminderRecipients,
  reminderRows,
  workingDaysOverdue,
  type DueReminder,
} from '../../src/domain/reminders/schedule.js';
import { MAX_CARD_BYTES, odDigestCard, reminderDigestCard, type DigestItem } from '../../src/reminders/cards.js';

const cal = loadCalendar({});
const catalog = loadCatalog(readFileSync(new URL('../../config/duty-catalog.json', import.meta.url), 'utf8'));
const endOf = (day: string): Date => new Date(`${day}T23:59:59.999+08:00`);
const at = (day: string, time = '10:00'): Date => new Date(`${day}T${time}:00+08:00`);
const brief = (rows: { stage: string; recipientId: number; sendOn: string }[]) => rows.map((r) => `${r.stage} ${r.recipientId} ${r.sendOn}`);

const unit = [
  { id: 1, role: 'SECRETARY' as const },
  { id: 2, role: 'DEPUTY' as const },
  { id: 3, role: 'MEMBER' as const },
  { id: 4, role: 'STAFF' as const },
  { id: 5, role: 'STAFF' as const },
];

describe('reminderRecipients', () => {
  it("a deputy's own duty: the deputy, and the secretary when it escalates", () => {
    expect(reminderRecipients(getRule(catalog, 'LIAISON_VISIT_LEADER'), { personId: 2 }, unit)).toEqual({ owners: [2], escalateTo: [1] });
  });

  it("the secretary's own duty escalates to no one in the unit (the OD digest covers it)", () => {
    expect(reminderRecipients(getRule(catalog, 'LIAISON_VISIT_SECRETARY'), { personId: 1 }, unit)).toEqual({ owners: [1], escalateTo: [] });
  });

  it('a unit duty: the accountable secretary and every organiser (STAFF)', () => {
    expect(reminderRecipients(getRule(catalog, 'QUARTERLY_WORK_MEETING'), { personId: 1 }, unit)).toEqual({ owners: [1, 4, 5], escalateTo: [] });
  });

  it('a unit duty with no accountable person still reaches the organisers', () => {
    expect(reminderRecipients(getRule(catalog, 'QUARTERLY_WORK_MEETING'), { personId: null }, unit)).toEqual({ owners: [4, 5], escalateTo: [] });
  });
});

describe('reminderRows', () => {
  const rule = getRule(catalog, 'LIAISON_VISIT_LEADER'); // quarterly: 10 and 3 before, overdue 1, escalate 3
  const monthly = getRule(catalog, 'LIAISON_VISIT_SECRETARY'); // 5 and 1 before, overdue 1, escalate 3
  const recipients = { owners: [2], escalateTo: [1] };

  it('planned well before: every stage on its working day, escalation to the secretary', () => {
    expect(brief(reminderRows({ id: 9, dueAt: endOf('2026-11-30') }, monthly, recipients, cal, '2026-11-01'))).toEqual([
      'before-5 2 2026-11-23',
      'before-1 2 2026-11-27',
      'overdue 2 2026-12-01',
      'escalate 1 2026-12-03',
    ]);
  });

  it('planned late (after the first reminder day): the missed reminder goes out today, once', () => {
    expect(brief(reminderRows({ id: 9, dueAt: endOf('2026-11-30') }, monthly, recipients, cal, '2026-11-25'))).toEqual([
      'before-1 2 2026-11-27',
      'overdue 2 2026-12-01',
      'escalate 1 2026-12-03',
      'before-5 2 2026-11-25',
    ]);
  });

  it('planned after the due day: no before-reminders; the overdue notice today, the escalation on its day', () => {
    expect(brief(reminderRows({ id: 9, dueAt: endOf('2026-11-30') }, monthly, recipients, cal, '2026-12-02'))).toEqual([
      'overdue 2 2026-12-02',
      'escalate 1 2026-12-03',
    ]);
  });

  it('quarterly across National Day', () => {
    expect(brief(reminderRows({ id: 9, dueAt: endOf('2026-09-30') }, rule, recipients, cal, '2026-07-01'))).toEqual([
      'before-10 2 2026-09-16',
      'before-3 2 2026-09-24',
      'overdue 2 2026-10-08',
      'escalate 1 2026-10-10',
    ]);
  });
});

describe('planTick', () => {
  const due = (id: number, obligationId: number, stage: string, recipientId: number, sendOn: string, ob: Partial<DueReminder['obligation']> = {}): DueReminder => ({
    id,
    obligationId,
    stage,
    recipientId,
    sendOn,
    obligation: { status: 'OPEN', dueAt: endOf('2026-11-30'), ...ob },
  });

  it('groups per recipient: one digest each, duties by due date', () => {
    const plan = planTick(
      [
        due(1, 10, 'before-5', 100, '2026-11-23'),
        due(2, 11, 'before-30', 100, '2026-11-23', { dueAt: endOf('2026-12-31') }),
        due(3, 12, 'before-5', 200, '2026-11-23'),
        due(4, 13, 'before-1', 100, '2026-11-23', { dueAt: endOf('2026-11-24') }),
      ],
      at('2026-11-23'),
    );
    expect(plan.skip).toEqual([]);
    expect(plan.digests).toEqual([
      { recipientId: 100, reminderIds: [4, 1, 2] },
      { recipientId: 200, reminderIds: [3] },
    ]);
  });

  it('skips what is done or cancelled, before-reminders of duties already due, and older stages', () => {
    const plan = planTick(
      [
        due(1, 10, 'before-5', 100, '2026-11-23', { status: 'DONE' }),
        due(2, 11, 'before-5', 100, '2026-11-23', { status: 'CANCELLED' }),
        due(3, 12, 'before-1', 100, '2026-11-27', { dueAt: endOf('2026-11-26') }), // due yesterday: overdue follows
        due(4, 13, 'before-5', 300, '2026-11-23'), // bot was down: the later stage wins
        due(5, 13, 'before-1', 300, '2026-11-27'),
        due(6, 14, 'overdue', 300, '2026-11-27', { dueAt: endOf('2026-11-20') }),
        due(7, 14, 'escalate', 100, '2026-11-27', { dueAt: endOf('2026-11-20') }),
      ],
      at('2026-11-27'),
    );
    expect(plan.skip).toEqual([
      { id: 1, reason: 'closed' },
      { id: 2, reason: 'closed' },
      { id: 3, reason: 'past-due' },
      { id: 4, reason: 'superseded' },
    ]);
    expect(plan.digests).toEqual([
      { recipientId: 100, reminderIds: [7] },
      { recipientId: 300, reminderIds: [6, 5] },
    ]);
  });

  it('keeps the latest stage whatever order the rows come in', () => {
    const plan = planTick([due(5, 13, 'before-1', 300, '2026-11-27'), due(4, 13, 'before-5', 300, '2026-11-23')], at('2026-11-27'));
    expect(plan.skip).toEqual([{ id: 4, reason: 'superseded' }]);
    expect(plan.digests).toEqual([{ recipientId: 300, reminderIds: [5] }]);
  });
});

describe('overdue and urgency', () => {
  it('counts working days late from the due day', () => {
    expect(workingDaysOverdue(endOf('2026-11-30'), at('2026-11-30'), cal)).toBe(0);
    expect(workingDaysOverdue(endOf('2026-11-30'), at('2026-12-01'), cal)).toBe(1);
    expect(workingDaysOverdue(endOf('2026-09-30'), at('2026-10-08'), cal)).toBe(1); // National Day is not counted
    expect(workingDaysOverdue(endOf('2026-11-27'), at('2026-11-30'), cal)).toBe(1); // Friday → Monday
  });

  it('urgent push only when configured and a duty is late by the threshold', () => {
    const dues = [endOf('2026-11-30')];
    expect(needsUrgent(dues, at('2026-12-03'), cal, undefined)).toBe(false);
    expect(needsUrgent(dues, at('2026-12-02'), cal, 3)).toBe(false);
    expect(needsUrgent(dues, at('2026-12-03'), cal, 3)).toBe(true);
    expect(needsUrgent([endOf('2026-12-31')], at('2026-12-03'), cal, 1)).toBe(false);
  });

  it('groups overdue items per unit: most overdue first, the oldest as examples', () => {
    const item = (unitId: number, obligationId: number, due: string) => ({
      unitId,
      unitName: `单位${unitId}`,
      obligationId,
      title: `事项${obligationId}`,
      ownerName: '张三',
      dueAt: endOf(due),
    });
    const units = groupOverdueByUnit(
      [item(1, 1, '2026-11-30'), item(2, 2, '2026-10-31'), item(2, 3, '2026-11-30'), item(2, 4, '2026-09-30'), item(2, 5, '2026-11-30')],
      at('2026-12-03'),
      cal,
      { examplesPerUnit: 2 },
    );
    expect(units.map((u) => [u.unitId, u.count, u.maxDays, u.examples.map((e) => e.obligationId)])).toEqual([
      [2, 4, 42, [4, 2]], // 2026-09-30 → 2026-12-03: 18 working days in October (after National Day), 21 in November, 3 in December
      [1, 1, 3, [1]],
    ]);
  });
});

describe('reminder cards', () => {
  const ob = (id: number, extra: Partial<DigestItem['obligation']> = {}): DigestItem['obligation'] => ({
    id,
    title: '2026年11月 到基层联系点检查指导',
    ruleCode: 'LIAISON_VISIT_SECRETARY',
    dueAt: endOf('2026-11-30'),
    status: 'OPEN',
    requiredCount: 1,
    doneCount: 0,
    late: false,
    ...extra,
  });
  const text = (c: unknown) => JSON.stringify(c);

  it('lists each duty with its due date, working days left, basis, how to answer, and the two buttons', () => {
    const { card, shown } = reminderDigestCard({
      recipientName: '陈书记',
      items: [
        { obligation: ob(7), stage: 'before-5', relation: 'owner', ownerName: '陈书记', organiserNames: [] },
        {
          obligation: ob(8, { title: '2026年 党组会议研究基层党建工作（不少于2次）', ruleCode: 'PC_MEETING_STUDY', dueAt: endOf('2026-12-31'), requiredCount: 2, doneCount: 1 }),
          stage: 'before-30',
          relation: 'owner',
          ownerName: '陈书记',
          organiserNames: [],
        },
      ],
      now: at('2026-11-23'),
      catalog,
      cal,
      contact: '区委组织部（电话 22830601）',
    });
    expect(shown).toBe(2);
    const s = text(card);
    expect(s).toContain('党建责任到期提醒');
    expect(s).toContain('陈书记，您好');
    expect(s).toContain('截止：2026年11月30日（星期一）');
    expect(s).toContain('还剩 5 个工作日');
    expect(s).toContain('进度：1/2');
    expect(s).toContain('四(二)1');
    expect(s).toContain('每月到基层联系点检查指导工作不少于1次');
    expect(s).toContain('直接回复本消息即可记录完成情况，可附照片');
    const c = card as { schema: string; body: { elements: unknown[] } };
    expect(c.schema).toBe('2.0');
    expect(s).toContain(JSON.stringify({ action: 'report.open', obligationId: 7 }));
    expect(s).toContain(JSON.stringify({ action: 'obligation.detail', obligationId: 8 }));
  });

  it('escalation: names the owner, offers only 查看详情, and asks the secretary to follow up', () => {
    const { card } = reminderDigestCard({
      recipientName: '陈书记',
      items: [{ obligation: ob(9, { ruleCode: 'LIAISON_VISIT_LEADER', title: '2026年第三季度 深入基层联系点具体指导', dueAt: endOf('2026-09-30') }), stage: 'escalate', relation: 'escalate', ownerName: '李副书记', organiserNames: [] }],
      now: at('2026-10-10'), // a make-up Saturday: the escalation day
      catalog,
      cal,
      contact: '组织部',
    });
    const s = text(card);
    expect(s).toContain('党建责任逾期督办');
    expect(s).toContain('"template":"red"');
    expect(s).toContain('责任人：李副书记');
    expect(s).toContain('已逾期 3 个工作日');
    expect(s).toContain('请督促责任人');
    expect(s).not.toContain('report.open');
  });

  it('stays under Lark’s card size: many duties are summed up in one line', () => {
    const items = Array.from({ length: 80 }, (_, i) => ({ obligation: ob(i + 1, { title: `清单事项 ${'很长的标题'.repeat(10)} ${i}`, ruleCode: 'LIST_ITEM' }), stage: 'before-1', relation: 'owner' as const, ownerName: null, organiserNames: [] }));
    const { card, shown } = reminderDigestCard({ recipientName: '陈书记', items, now: at('2026-11-23'), catalog, cal, contact: '组织部' });
    expect(Buffer.byteLength(text(card))).toBeLessThanOrEqual(MAX_CARD_BYTES);
    expect(shown).toBeLessThan(80);
    expect(text(card)).toContain(`另有 ${80 - shown} 项未列出`);
  });

  it('the OD digest: one card, units with counts and the oldest items', () => {
    const units = groupOverdueByUnit(
      [
        { unitId: 1, unitName: '大良街道党工委', obligationId: 1, title: '2026年11月 到基层联系点检查指导', ownerName: '陈书记', dueAt: endOf('2026-11-30') },
        { unitId: 2, unitName: '容桂街道党工委', obligationId: 2, title: '2026年第四季度 基层党建工作会议', ownerName: null, dueAt: endOf('2026-11-30') },
      ],
      at('2026-12-03'),
      cal,
      { counts: new Map([[1, 5], [2, 1]]) },
    );
    const s = text(odDigestCard({ recipientName: '组织部小郑', units, now: at('2026-12-03') }).card);
    expect(s).toContain('逾期责任日报');
    expect(s).toContain('2 个单位 6 项逾期');
    expect(s).toContain('**1. 大良街道党工委**：逾期 **5** 项，最久已逾期 3 个工作日');
    expect(s).toContain('陈书记，截止 11月30日，已逾期 3 个工作日');
    expect(s).toContain('· 等 5 项');
    expect(s).toContain('未指定责任人');
    expect(s).toContain('组织部小郑，您好！截至今天，以下单位有党建责任逾期未报告');
    expect(s).not.toContain('待验收');
  });

  it('the OD digest also counts rectification reports awaiting acceptance, even on a day with nothing overdue', () => {
    const s = text(odDigestCard({ recipientName: '组织部小郑', units: [], now: at('2026-12-03'), pendingReview: 2 }).card);
    expect(s).toContain('0 个单位 0 项逾期');
    expect(s).toContain('组织部小郑，您好！截至今天，没有逾期未报告的党建责任。');
    expect(s).toContain('待验收的整改报告 2 项');
    expect(s).toContain('/督查 列表');
  });
});
