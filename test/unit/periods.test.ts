import { describe, expect, it } from 'vitest';
import { periodByKey, periodOf, periodsOfYear } from '../../src/domain/duties/periods.js';

describe('periods', () => {
  const instant = new Date('2026-11-26T06:00:00Z');

  it('periodOf gives key, label and Beijing-midnight bounds (end exclusive)', () => {
    const m = periodOf('month', instant);
    expect(m).toMatchObject({ key: '2026-11', label: '2026年11月', firstDay: '2026-11-01', lastDay: '2026-11-30' });
    expect(m.start.toISOString()).toBe('2026-10-31T16:00:00.000Z');
    expect(m.end.toISOString()).toBe('2026-11-30T16:00:00.000Z');

    const q = periodOf('quarter', instant);
    expect(q).toMatchObject({ key: '2026-Q4', label: '2026年第四季度', firstDay: '2026-10-01', lastDay: '2026-12-31' });
    expect(q.end.toISOString()).toBe('2026-12-31T16:00:00.000Z');

    expect(periodOf('half', instant)).toMatchObject({ key: '2026-H2', label: '2026年下半年', firstDay: '2026-07-01' });
    const y = periodOf('year', instant);
    expect(y).toMatchObject({ key: '2026', label: '2026年', firstDay: '2026-01-01', lastDay: '2026-12-31' });
    expect(y.start.toISOString()).toBe('2025-12-31T16:00:00.000Z');
  });

  it('uses the Beijing day: 2026-12-31T16:00Z is already 2027', () => {
    expect(periodOf('month', new Date('2026-12-31T16:00:00Z')).key).toBe('2027-01');
    expect(periodOf('month', new Date('2026-12-31T15:59:59.999Z')).key).toBe('2026-12');
    expect(periodOf('quarter', new Date('2026-03-31T16:00:00Z')).key).toBe('2026-Q2');
  });

  it('February of a leap year', () => {
    expect(periodByKey('2028-02').lastDay).toBe('2028-02-29');
    expect(periodByKey('2026-02').lastDay).toBe('2026-02-28');
  });

  it('periodsOfYear tiles the year without gaps', () => {
    for (const [kind, n] of [['month', 12], ['quarter', 4], ['half', 2], ['year', 1]] as const) {
      const ps = periodsOfYear(kind, 2026);
      expect(ps).toHaveLength(n);
      expect(ps[0]!.start.toISOString()).toBe('2025-12-31T16:00:00.000Z');
      expect(ps[n - 1]!.end.toISOString()).toBe('2026-12-31T16:00:00.000Z');
      for (let i = 1; i < n; i++) expect(ps[i]!.start).toEqual(ps[i - 1]!.end);
    }
    expect(periodsOfYear('quarter', 2026).map((p) => p.key)).toEqual(['2026-Q1', '2026-Q2', '2026-Q3', '2026-Q4']);
    expect(periodsOfYear('half', 2026).map((p) => p.label)).toEqual(['2026年上半年', '2026年下半年']);
  });

  it('periodByKey round-trips and refuses nonsense', () => {
    for (const key of ['2026', '2026-H1', '2026-Q3', '2026-01', '2026-12']) expect(periodByKey(key).key).toBe(key);
    expect(periodByKey('2026-Q3')).toMatchObject({ kind: 'quarter', year: 2026, index: 3 });
    for (const bad of ['2026-13', '2026-00', '2026-Q5', '2026-H3', '26', '2026-1', 'x']) {
      expect(() => periodByKey(bad), bad).toThrow(/无效的周期/);
    }
  });
});
