import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/domain/duties/catalog.js';
import { obligationKey, planListItem, planMilestone, planObligations } from '../../src/domain/duties/plan.js';
import type { PlannedObligation, Roster, RosterPerson } from '../../src/domain/duties/plan.js';

const catalogText = readFileSync(new URL('../../config/duty-catalog.json', import.meta.url), 'utf8');
const catalog = loadCatalog(catalogText);

const longAgo = new Date('2024-01-01T00:00:00+08:00');
const beforeYear = new Date('2025-12-20T10:00:00+08:00');

function person(id: number, role: RosterPerson['role'], extra: Partial<RosterPerson> = {}): RosterPerson {
  return { id, unitId: 1, role, active: true, activeFrom: longAgo, ...extra };
}

/** Unit 1: 1 secretary (10), 1 deputy (11), 2 members (12, 13), 1 staff (14). */
function roster(people: RosterPerson[] = [person(10, 'SECRETARY'), person(11, 'DEPUTY'), person(12, 'MEMBER'), person(13, 'MEMBER'), person(14, 'STAFF')]): Roster {
  return { units: [{ id: 1, kind: 'TOWN' }], people, liaisonPoints: [] };
}

function countBy(obs: PlannedObligation[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const o of obs) out[o.ruleCode] = (out[o.ruleCode] ?? 0) + 1;
  return out;
}

describe('planObligations', () => {
  it('a full unit owes exactly this in 2026', () => {
    const obs = planObligations({ year: 2026, now: beforeYear, catalog, roster: roster() });
    expect(countBy(obs)).toEqual({
      PC_MEETING_STUDY: 1,
      LIAISON_VISIT_SECRETARY: 12,
      LIAISON_VISIT_LEADER: 12, // 3 leaders × 4 quarters
      QUARTERLY_WORK_MEETING: 4,
      DEBRIEF: 1,
      YEARLY_PLAN: 1,
    });
    expect(obs).toHaveLength(31);
    expect(new Set(obs.map(obligationKey)).size).toBe(31);
    // Nothing for the staff member in person.
    expect(obs.filter((o) => o.personId === 14)).toEqual([]);
    expect(obs.filter((o) => o.ruleCode === 'LIAISON_VISIT_LEADER').map((o) => o.personId)).toEqual([11, 11, 11, 11, 12, 12, 12, 12, 13, 13, 13, 13]);
  });

  it('sets the columns: owner, period, due at the end of the period, count', () => {
    const obs = planObligations({ year: 2026, now: beforeYear, catalog, roster: roster() });
    const nov = obs.find((o) => o.ruleCode === 'LIAISON_VISIT_SECRETARY' && o.periodKey === '2026-11');
    expect(nov).toEqual({
      ruleCode: 'LIAISON_VISIT_SECRETARY',
      ownerKey: 'p10',
      unitId: 1,
      personId: 10,
      periodKey: '2026-11',
      subjectKey: '',
      title: '2026年11月 到基层联系点检查指导',
      periodStart: new Date('2026-11-01T00:00:00+08:00'),
      dueAt: new Date('2026-11-30T23:59:59.999+08:00'),
      requiredCount: 1,
    });
    expect(obs.find((o) => o.ruleCode === 'PC_MEETING_STUDY')).toMatchObject({
      ownerKey: 'p10',
      periodKey: '2026',
      requiredCount: 2,
      title: '2026年 党组（党委、党工委）会议研究基层党建工作、听取专题汇报（不少于2次）',
      dueAt: new Date('2026-12-31T23:59:59.999+08:00'),
    });
    expect(obs.find((o) => o.ruleCode === 'QUARTERLY_WORK_MEETING' && o.periodKey === '2026-Q3')).toMatchObject({
      ownerKey: 'u1',
      personId: 10,
      title: '2026年第三季度 基层党建工作会议',
      periodStart: new Date('2026-07-01T00:00:00+08:00'),
      dueAt: new Date('2026-09-30T23:59:59.999+08:00'),
    });
    expect(obs.find((o) => o.ruleCode === 'YEARLY_PLAN')).toMatchObject({
      ownerKey: 'u1',
      periodKey: '2026',
      periodStart: new Date('2026-01-01T00:00:00+08:00'),
      dueAt: new Date('2026-03-31T23:59:59.999+08:00'),
    });
    // The debrief window runs from 1 December into January of the next year.
    expect(obs.find((o) => o.ruleCode === 'DEBRIEF')).toMatchObject({
      ownerKey: 'p10',
      periodKey: '2026',
      title: '2026年 抓基层党建工作述职评议',
      periodStart: new Date('2026-12-01T00:00:00+08:00'),
      dueAt: new Date('2027-01-31T23:59:59.999+08:00'),
    });
  });

  it('a secretary who joins on 2026-07-15 owes July to December', () => {
    const joined = new Date('2026-07-15T09:00:00+08:00');
    const obs = planObligations({ year: 2026, now: beforeYear, catalog, roster: roster([person(10, 'SECRETARY', { activeFrom: joined })]) });
    const visits = obs.filter((o) => o.ruleCode === 'LIAISON_VISIT_SECRETARY');
    expect(visits.map((o) => o.periodKey)).toEqual(['2026-07', '2026-08', '2026-09', '2026-10', '2026-11', '2026-12']);
    expect(countBy(obs)).toMatchObject({ PC_MEETING_STUDY: 1, DEBRIEF: 1, LIAISON_VISIT_SECRETARY: 6, QUARTERLY_WORK_MEETING: 4, YEARLY_PLAN: 1 });
  });

  it('a leader owes a quarter that ends after he joins, not one that ended before', () => {
    const lastDayOfQ3 = planObligations({
      year: 2026,
      now: beforeYear,
      catalog,
      roster: roster([person(11, 'DEPUTY', { activeFrom: new Date('2026-09-30T17:00:00+08:00') })]),
    });
    expect(lastDayOfQ3.filter((o) => o.ruleCode === 'LIAISON_VISIT_LEADER').map((o) => o.periodKey)).toEqual(['2026-Q3', '2026-Q4']);
    const firstDayOfQ4 = planObligations({
      year: 2026,
      now: beforeYear,
      catalog,
      roster: roster([person(11, 'DEPUTY', { activeFrom: new Date('2026-10-01T00:00:00+08:00') })]),
    });
    expect(firstDayOfQ4.filter((o) => o.ruleCode === 'LIAISON_VISIT_LEADER').map((o) => o.periodKey)).toEqual(['2026-Q4']);
  });

  it('a role change: the duties of the new role from the day it was taken', () => {
    // Member 12 became secretary on 2026-10-10 (activeFrom is when the current role was taken).
    const obs = planObligations({
      year: 2026,
      now: beforeYear,
      catalog,
      roster: roster([person(12, 'SECRETARY', { activeFrom: new Date('2026-10-10T00:00:00+08:00') })]),
    });
    expect(obs.filter((o) => o.personId === 12 && o.ruleCode === 'LIAISON_VISIT_SECRETARY').map((o) => o.periodKey)).toEqual([
      '2026-10',
      '2026-11',
      '2026-12',
    ]);
    expect(obs.some((o) => o.ruleCode === 'LIAISON_VISIT_LEADER')).toBe(false);
  });

  it('nothing already due at `now` is planned', () => {
    const obs = planObligations({ year: 2026, now: new Date('2026-11-26T10:00:00+08:00'), catalog, roster: roster() });
    expect(countBy(obs)).toEqual({
      PC_MEETING_STUDY: 1,
      LIAISON_VISIT_SECRETARY: 2, // November, December
      LIAISON_VISIT_LEADER: 3, // Q4 × 3
      QUARTERLY_WORK_MEETING: 1,
      DEBRIEF: 1,
    });
  });

  it('inactive people, inactive units and the OD owe nothing; a unit without secretary has no accountable person', () => {
    const r: Roster = {
      units: [
        { id: 1, kind: 'TOWN' },
        { id: 2, kind: 'DEPARTMENT', active: false },
        { id: 3, kind: 'OD' },
        { id: 4, kind: 'SUBDISTRICT' },
      ],
      people: [
        person(10, 'SECRETARY', { active: false }),
        person(20, 'SECRETARY', { unitId: 2 }),
        person(30, 'OD_STAFF', { unitId: 3 }),
        person(31, 'SECRETARY', { unitId: 3 }),
        person(40, 'STAFF', { unitId: 4 }),
      ],
      liaisonPoints: [],
    };
    const obs = planObligations({ year: 2026, now: beforeYear, catalog, roster: r });
    expect(new Set(obs.map((o) => o.unitId))).toEqual(new Set([1, 4]));
    expect(obs.filter((o) => o.ownerKey.startsWith('p'))).toEqual([]);
    expect(countBy(obs)).toEqual({ QUARTERLY_WORK_MEETING: 8, YEARLY_PLAN: 2 });
    expect(obs.every((o) => o.personId === null)).toBe(true);
  });

  it('titles name the liaison points the roster gives names for', () => {
    const r = roster([person(10, 'SECRETARY'), person(11, 'DEPUTY')]);
    r.liaisonPoints = [
      { personId: 10, orgId: 5, orgName: '某某村党委' },
      { personId: 10, orgId: 6, orgName: '旧联系点', active: false },
      { personId: 11, orgId: 7 },
    ];
    const obs = planObligations({ year: 2026, now: beforeYear, catalog, roster: r });
    expect(obs.find((o) => o.ruleCode === 'LIAISON_VISIT_SECRETARY' && o.periodKey === '2026-03')?.title).toBe(
      '2026年3月 到基层联系点检查指导（联系点：某某村党委）',
    );
    expect(obs.find((o) => o.ruleCode === 'LIAISON_VISIT_LEADER' && o.periodKey === '2026-Q1')?.title).toBe('2026年第一季度 深入基层联系点具体指导');
  });

  it('follows the catalog: leaders visiting monthly', () => {
    const monthly = loadCatalog(catalogText.replace('"kind": "quarter", "count": 1 },\n      "due": "period_end",\n      "evidence": [\n        { "key": "visitDate", "label": "指导日期"', '"kind": "month", "count": 1 },\n      "due": "period_end",\n      "evidence": [\n        { "key": "visitDate", "label": "指导日期"'));
    const obs = planObligations({ year: 2026, now: beforeYear, catalog: monthly, roster: roster() });
    expect(countBy(obs).LIAISON_VISIT_LEADER).toBe(36);
  });

  it('is pure: the same input gives the same plan', () => {
    const a = planObligations({ year: 2026, now: beforeYear, catalog, roster: roster() });
    const b = planObligations({ year: 2026, now: beforeYear, catalog, roster: roster() });
    expect(a).toEqual(b);
  });
});

describe('set duties', () => {
  it('planListItem: owned by the unit, the responsible person answers, due at the end of the deadline day', () => {
    expect(
      planListItem({ id: 7, unitId: 1, year: 2026, seq: 3, content: '完成 3 个村“两委”换届', responsiblePersonId: 11, deadline: new Date('2026-06-30T00:00:00+08:00') }),
    ).toEqual({
      ruleCode: 'LIST_ITEM',
      ownerKey: 'u1',
      unitId: 1,
      personId: 11,
      periodKey: '2026',
      subjectKey: 'list:7',
      title: '2026年责任清单第3项：完成 3 个村“两委”换届',
      periodStart: new Date('2026-01-01T00:00:00+08:00'),
      dueAt: new Date('2026-06-30T23:59:59.999+08:00'),
      requiredCount: 1,
    });
  });

  it('planMilestone: owed by the project owner', () => {
    const o = planMilestone(
      { id: 2, unitId: 1, year: 2026, title: '红色物业', kind: 'SECRETARY', ownerPersonId: 10 },
      { id: 9, seq: 2, title: '完成试点', deadline: new Date('2026-09-15T16:00:00Z') }, // 2026-09-16 00:00 Beijing
    );
    expect(o).toMatchObject({
      ruleCode: 'PROJECT_MILESTONE',
      ownerKey: 'p10',
      personId: 10,
      periodKey: '2026',
      subjectKey: 'ms:9',
      title: '书记项目“红色物业”第2个节点：完成试点',
      dueAt: new Date('2026-09-16T23:59:59.999+08:00'),
    });
  });
});
