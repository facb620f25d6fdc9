import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { getRule, loadCatalog } from '../../src/domain/duties/catalog.js';
import { monthsRunning, planWeakOrgObligations, rectificationProgress, type WeakOrgRecord } from '../../src/domain/oversight/weak-org-plan.js';

const catalog = loadCatalog(readFileSync(new URL('../../config/duty-catalog.json', import.meta.url), 'utf8'));
const rule = getRule(catalog, 'WEAK_ORG_RECTIFICATION');
const at = (s: string) => new Date(`${s}+08:00`);

function record(extra: Partial<WeakOrgRecord> = {}): WeakOrgRecord {
  return { id: 7, orgId: 3, orgName: '东风村党支部', unitId: 2, since: at('2026-11-10T09:00:00'), liftedAt: null, ...extra };
}

const plan = (records: WeakOrgRecord[], now: Date, year = 2026, accountable = new Map([[2, 40]])) =>
  planWeakOrgObligations({ records, rule, accountable, year, now });

describe('planWeakOrgObligations', () => {
  it('one monthly progress report per open record, owned by the unit, answered by its secretary', () => {
    const obs = plan([record()], at('2026-11-10T09:00:00'));
    expect(obs).toEqual([
      {
        ruleCode: 'WEAK_ORG_RECTIFICATION',
        ownerKey: 'u2',
        unitId: 2,
        personId: 40,
        periodKey: '2026-11',
        subjectKey: 'weak:7',
        title: '2026年11月 东风村党支部软弱涣散整顿进展',
        periodStart: new Date('2026-10-31T16:00:00.000Z'),
        dueAt: new Date('2026-11-30T15:59:59.999Z'),
        requiredCount: 1,
      },
      {
        ruleCode: 'WEAK_ORG_RECTIFICATION',
        ownerKey: 'u2',
        unitId: 2,
        personId: 40,
        periodKey: '2026-12',
        subjectKey: 'weak:7',
        title: '2026年12月 东风村党支部软弱涣散整顿进展',
        periodStart: new Date('2026-11-30T16:00:00.000Z'),
        dueAt: new Date('2026-12-31T15:59:59.999Z'),
        requiredCount: 1,
      },
    ]);
  });

  it('the first period owed is the first due at least 15 days after the mark', () => {
    const keys = (since: string) => plan([record({ since: at(since) })], at(since)).map((o) => o.periodKey);
    expect(keys('2026-11-10T09:00:00')).toEqual(['2026-11', '2026-12']); // 20 days before November ends
    expect(keys('2026-11-15T23:59:59.999')).toEqual(['2026-11', '2026-12']); // exactly 15 days
    expect(keys('2026-11-16T00:00:00')).toEqual(['2026-12']); // 14 days and a bit: not November
    expect(keys('2026-11-26T10:00:00')).toEqual(['2026-12']);
  });

  it('a record marked early in the year owes every month after; the year asked is the one planned', () => {
    const r = record({ since: at('2026-01-05T09:00:00') });
    expect(plan([r], at('2026-01-05T09:00:00')).map((o) => o.periodKey)).toEqual(
      ['01', '02', '03', '04', '05', '06', '07', '08', '09', '10', '11', '12'].map((m) => `2026-${m}`),
    );
    expect(plan([r], at('2026-12-20T09:00:00'), 2027).map((o) => o.periodKey)).toHaveLength(12);
    expect(plan([r], at('2026-12-20T09:00:00'), 2027)[0]!.title).toBe('2027年1月 东风村党支部软弱涣散整顿进展');
    // marked in late December: the first report is January's
    expect(plan([record({ since: at('2026-12-20T09:00:00') })], at('2026-12-20T09:00:00'), 2026)).toEqual([]);
    expect(plan([record({ since: at('2026-12-20T09:00:00') })], at('2026-12-20T09:00:00'), 2027)[0]!.periodKey).toBe('2027-01');
  });

  it('never plans what is already due at now, nor anything due after the mark was lifted', () => {
    const r = record({ since: at('2026-01-05T09:00:00') });
    expect(plan([r], at('2026-11-26T10:00:00')).map((o) => o.periodKey)).toEqual(['2026-11', '2026-12']);
    expect(plan([r], at('2026-12-01T00:00:00')).map((o) => o.periodKey)).toEqual(['2026-12']);
    const lifted = { ...r, liftedAt: at('2026-12-10T10:00:00') };
    expect(plan([lifted], at('2026-11-26T10:00:00')).map((o) => o.periodKey)).toEqual(['2026-11']);
    expect(plan([lifted], at('2026-01-05T09:00:00')).map((o) => o.periodKey)).toHaveLength(11);
  });

  it('no accountable person: personId null; several records: by record id', () => {
    const obs = plan([record({ id: 9, unitId: 5, orgName: '上涌村党支部' }), record()], at('2026-11-26T10:00:00'));
    expect(obs.map((o) => `${o.subjectKey} ${o.ownerKey} ${o.personId} ${o.periodKey}`)).toEqual([
      'weak:7 u2 40 2026-11',
      'weak:7 u2 40 2026-12',
      'weak:9 u5 null 2026-11',
      'weak:9 u5 null 2026-12',
    ]);
  });

  it('a quarterly rule (the OD may change the recurrence) plans quarters', () => {
    const quarterly = { ...rule, recurrence: { kind: 'quarter' as const, count: 1 } };
    const obs = planWeakOrgObligations({ records: [record({ since: at('2026-05-01T09:00:00') })], rule: quarterly, accountable: new Map(), year: 2026, now: at('2026-05-01T09:00:00') });
    expect(obs.map((o) => `${o.periodKey} ${o.title}`)).toEqual([
      '2026-Q2 2026年第二季度 东风村党支部软弱涣散整顿进展',
      '2026-Q3 2026年第三季度 东风村党支部软弱涣散整顿进展',
      '2026-Q4 2026年第四季度 东风村党支部软弱涣散整顿进展',
    ]);
  });
});

describe('monthsRunning and rectificationProgress', () => {
  it('counts whole months in Beijing days', () => {
    expect(monthsRunning(at('2026-01-05T09:00:00'), at('2026-11-26T10:00:00'))).toBe(10);
    expect(monthsRunning(at('2026-01-26T09:00:00'), at('2026-11-26T08:00:00'))).toBe(10);
    expect(monthsRunning(at('2026-01-27T09:00:00'), at('2026-11-26T10:00:00'))).toBe(9);
    expect(monthsRunning(at('2026-11-20T09:00:00'), at('2026-11-26T10:00:00'))).toBe(0);
    expect(monthsRunning(at('2025-12-31T09:00:00'), at('2026-01-31T10:00:00'))).toBe(1);
  });

  it('made, owed so far and overdue, cancelled ones left out', () => {
    const now = at('2026-11-26T10:00:00');
    const ob = (status: string, due: string) => ({ status, dueAt: at(due) });
    expect(
      rectificationProgress(
        [
          ob('DONE', '2026-09-30T23:59:59.999'),
          ob('OPEN', '2026-10-31T23:59:59.999'),
          ob('DONE', '2026-11-30T23:59:59.999'), // reported early: counts as owed and made
          ob('OPEN', '2026-12-31T23:59:59.999'), // not due yet
          ob('CANCELLED', '2026-08-31T23:59:59.999'),
        ],
        now,
      ),
    ).toEqual({ made: 2, owed: 3, overdue: 1 });
  });
});
