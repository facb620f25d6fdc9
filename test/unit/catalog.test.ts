import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CatalogStore, citation, getRule, loadCatalog } from '../../src/domain/duties/catalog.js';
import { isAppError } from '../../src/errors.js';

const catalogText = readFileSync(new URL('../../config/duty-catalog.json', import.meta.url), 'utf8');
const policyText = readFileSync(new URL('../../policy/shunde-2015-26-party-building-responsibility.txt', import.meta.url), 'utf8');

/** Replaces the first `find` after `anchor` (anchor itself included in the search). */
function edit(anchor: string, find: string, replace: string, text = catalogText): string {
  const a = text.indexOf(anchor);
  if (a < 0) throw new Error(`anchor not found: ${anchor}`);
  const at = text.indexOf(find, a);
  if (at < 0) throw new Error(`not found: ${find}`);
  return text.slice(0, at) + replace + text.slice(at + find.length);
}

/** 1-based line of the first `find` after `anchor`. */
function lineOf(text: string, anchor: string, find: string): number {
  const at = text.indexOf(find, text.indexOf(anchor));
  return text.slice(0, at).split('\n').length;
}

function loadError(text: string, options = {}): string {
  try {
    loadCatalog(text, options);
  } catch (e) {
    expect(isAppError(e, 'config_invalid')).toBe(true);
    return (e as Error).message;
  }
  throw new Error('expected the catalog to be refused');
}

describe('duty catalog: the shipped file', () => {
  const catalog = loadCatalog(catalogText, { policyText });

  it('has the eleven duties with their codes, in order', () => {
    expect(catalog.rules.map((r) => [r.no, r.code])).toEqual([
      [1, 'PC_MEETING_STUDY'],
      [2, 'LIAISON_VISIT_SECRETARY'],
      [3, 'LIAISON_VISIT_LEADER'],
      [4, 'QUARTERLY_WORK_MEETING'],
      [5, 'PROJECT_MILESTONE'],
      [6, 'DEBRIEF'],
      [7, 'LIST_ITEM'],
      [8, 'THEMATIC_ACTIVITY'],
      [9, 'INSPECTION_RECTIFICATION'],
      [10, 'WEAK_ORG_RECTIFICATION'],
      [11, 'YEARLY_PLAN'],
    ]);
  });

  it('encodes who owes what how often', () => {
    expect(getRule(catalog, 'PC_MEETING_STUDY')).toMatchObject({ owner: 'person', ownerRoles: ['SECRETARY'], recurrence: { kind: 'year', count: 2 } });
    expect(getRule(catalog, 'LIAISON_VISIT_SECRETARY')).toMatchObject({ recurrence: { kind: 'month', count: 1 }, due: 'period_end' });
    expect(getRule(catalog, 'LIAISON_VISIT_LEADER')).toMatchObject({ ownerRoles: ['DEPUTY', 'MEMBER'], recurrence: { kind: 'quarter', count: 1 } });
    expect(getRule(catalog, 'QUARTERLY_WORK_MEETING')).toMatchObject({ owner: 'unit', accountableRole: 'SECRETARY', organiserRole: 'STAFF', ownerRoles: [] });
    expect(getRule(catalog, 'DEBRIEF')).toMatchObject({ recurrence: { kind: 'year', count: 1 }, window: { from: '12-01', to: '01-31' } });
    expect(getRule(catalog, 'YEARLY_PLAN')).toMatchObject({ owner: 'unit', due: '03-31', window: null });
    for (const code of ['PROJECT_MILESTONE', 'LIST_ITEM', 'THEMATIC_ACTIVITY', 'INSPECTION_RECTIFICATION']) {
      expect(getRule(catalog, code).recurrence, code).toEqual({ kind: 'set' });
    }
    // An inspection finding is closed by the OD on evidence; a weak org's unit reports monthly until the mark is lifted.
    expect(getRule(catalog, 'INSPECTION_RECTIFICATION')).toMatchObject({ closedBy: 'od', subject: null });
    expect(getRule(catalog, 'WEAK_ORG_RECTIFICATION')).toMatchObject({ owner: 'unit', subject: 'weakOrg', closedBy: 'reporter', recurrence: { kind: 'month', count: 1 } });
    expect(getRule(catalog, 'QUARTERLY_WORK_MEETING')).toMatchObject({ closedBy: 'reporter', subject: null });
  });

  it('fills reminder defaults by recurrence', () => {
    expect(getRule(catalog, 'LIAISON_VISIT_SECRETARY').reminders).toEqual({ beforeWorkingDays: [5, 1], overdueAfterDays: 1, escalateAfterWorkingDays: 3 });
    expect(getRule(catalog, 'QUARTERLY_WORK_MEETING').reminders.beforeWorkingDays).toEqual([10, 3]);
    expect(getRule(catalog, 'PC_MEETING_STUDY').reminders.beforeWorkingDays).toEqual([30, 7, 1]);
    expect(getRule(catalog, 'LIST_ITEM').reminders.beforeWorkingDays).toEqual([7, 1]);
  });

  it('describes the evidence each report carries', () => {
    const visit = getRule(catalog, 'LIAISON_VISIT_SECRETARY').evidence;
    expect(visit.map((f) => [f.key, f.type, f.required])).toEqual([
      ['visitDate', 'date', true],
      ['liaisonPoint', 'orgRef', true],
      ['problemsFound', 'text', true],
      ['problemsSolved', 'text', true],
      ['photos', 'attachment', false],
    ]);
    expect(getRule(catalog, 'DEBRIEF').evidence[1]).toMatchObject({ type: 'choice', options: ['好', '较好', '一般', '差'] });
  });

  it('every rule cites clauses quoted word for word, from the clause its ref names', () => {
    for (const rule of catalog.rules) {
      for (const c of [rule.clause, ...rule.seeAlso]) {
        expect(policyText.includes(c.quote), `${rule.code}: ${c.quote}`).toBe(true);
        const [from, to] = clauseSpan(c.ref);
        const at = policyText.indexOf(c.quote, from);
        expect(at >= from && at + c.quote.length <= to, `${rule.code}: ${c.ref} ${c.quote}`).toBe(true);
      }
    }
  });

  it('formats the basis shown to users', () => {
    expect(citation(getRule(catalog, 'LIAISON_VISIT_SECRETARY'))).toBe(
      '依据：《关于进一步从严治党落实基层党建工作责任制的意见》四(二)1：“每月到基层联系点检查指导工作不少于1次，帮助解决具体问题和困难”',
    );
  });
});

/** Start and end offsets in the policy text of a clause like '四(二)1' or '五(二)'. */
function clauseSpan(ref: string): [number, number] {
  const m = /^([一二三四五])(?:\(([一二三四五六七八])\))?(\d)?$/.exec(ref);
  if (!m) throw new Error(`bad ref ${ref}`);
  const sections = '一二三四五六';
  const heading = (re: RegExp, from: number, to: number): number => {
    re.lastIndex = from;
    const hit = re.exec(policyText);
    return hit && hit.index < to ? hit.index : -1;
  };
  const s = m[1]!;
  let from = heading(new RegExp(`^${s}、`, 'gm'), 0, policyText.length);
  const next = heading(new RegExp(`^${sections[sections.indexOf(s) + 1]}、`, 'gm'), from, policyText.length);
  let to = next < 0 ? policyText.length : next;
  if (m[2]) {
    const lists = '一二三四五六七八九';
    from = heading(new RegExp(`^（${m[2]}）`, 'gm'), from, to);
    const nextList = heading(new RegExp(`^（${lists[lists.indexOf(m[2]) + 1]}）`, 'gm'), from, to);
    if (nextList >= 0) to = nextList;
  }
  if (m[3]) {
    from = heading(new RegExp(`^${m[3]}\\. `, 'gm'), from, to);
    const nextItem = heading(new RegExp(`^${Number(m[3]) + 1}\\. `, 'gm'), from, to);
    if (nextItem >= 0) to = nextItem;
  }
  if (from < 0) throw new Error(`clause ${ref} not found in the policy text`);
  return [from, to];
}

describe('duty catalog: refused edits name the line and the field', () => {
  it('a count that is not a positive integer', () => {
    const text = edit('"code": "QUARTERLY_WORK_MEETING"', '"count": 1', '"count": 0');
    const line = lineOf(text, '"code": "QUARTERLY_WORK_MEETING"', '"count": 0');
    expect(loadError(text)).toBe(`duty-catalog.json 第 ${line} 行: rules[3].recurrence.count 应为正整数`);
    expect(loadError(edit('"code": "QUARTERLY_WORK_MEETING"', '"count": 1', '"count": "1"'))).toBe(
      `duty-catalog.json 第 ${line} 行: rules[3].recurrence.count 应为正整数`,
    );
    expect(loadError(edit('"code": "QUARTERLY_WORK_MEETING"', '"count": 1', '"count": 1.5'))).toMatch(/rules\[3\]\.recurrence\.count 应为正整数/);
  });

  it('an unknown recurrence kind', () => {
    const text = edit('"code": "LIAISON_VISIT_SECRETARY"', '"kind": "month"', '"kind": "monthly"');
    expect(loadError(text)).toBe(
      `duty-catalog.json 第 ${lineOf(text, '"code": "LIAISON_VISIT_SECRETARY"', 'monthly')} 行: rules[1].recurrence.kind 应为 month、quarter、half、year 或 set`,
    );
  });

  it('a misspelt field is reported at its own line', () => {
    const text = edit('"code": "DEBRIEF"', '"window"', '"windows"');
    expect(loadError(text)).toContain(`第 ${lineOf(text, '"code": "DEBRIEF"', '"windows"')} 行: rules[5].windows 是不认识的字段（请检查拼写）`);
  });

  it('a missing field points at the rule', () => {
    const text = edit('"code": "PC_MEETING_STUDY"', '"name": "党组（党委、党工委）会议研究基层党建工作、听取专题汇报",\n', '');
    expect(loadError(text)).toBe(`duty-catalog.json 第 ${lineOf(text, '"rules"', '{')} 行: rules[0].name 缺少此项`);
  });

  it('a bad role, a bad owner', () => {
    expect(loadError(edit('"code": "LIAISON_VISIT_LEADER"', '"MEMBER"', '"LEADER"'))).toMatch(
      /rules\[2\]\.ownerRoles\[1\] 应为 SECRETARY、DEPUTY、MEMBER 或 STAFF/,
    );
    expect(loadError(edit('"code": "QUARTERLY_WORK_MEETING"', '"owner": "unit"', '"owner": "person"'))).toMatch(
      /rules\[3\]\.ownerRoles 个人责任须列出 ownerRoles\n.*rules\[3\]\.accountableRole 只有单位责任/,
    );
  });

  it('a duplicate code', () => {
    const text = edit('"code": "LIAISON_VISIT_LEADER"', 'LIAISON_VISIT_LEADER', 'LIAISON_VISIT_SECRETARY');
    expect(loadError(text)).toBe(
      `duty-catalog.json 第 ${lineOf(text, '"no": 2', '"code": "LIAISON_VISIT_SECRETARY"')} 行: rules[2].code 与 rules[1] 重复`,
    );
  });

  it('a fixed due date on a monthly duty, an impossible date, a window on a set duty', () => {
    expect(loadError(edit('"code": "LIAISON_VISIT_SECRETARY"', '"due": "period_end"', '"due": "03-31"'))).toMatch(
      /rules\[1\]\.due 固定日期只适用于每年一次的责任/,
    );
    expect(loadError(edit('"code": "YEARLY_PLAN"', '"03-31"', '"02-30"'))).toMatch(/rules\[10\]\.due 应为有效的月-日，如 "03-31"/);
    expect(loadError(edit('"code": "DEBRIEF"', '"to": "01-31"', '"to": "1-31"'))).toMatch(/rules\[5\]\.window\.to 应为有效的月-日/);
    expect(loadError(edit('"code": "LIST_ITEM"', '"recurrence": { "kind": "set" },', '"recurrence": { "kind": "set" }, "due": "period_end",'))).toMatch(
      /rules\[6\]\.due 截止时间由设定者给出的责任/,
    );
  });

  it('who closes a duty, and a weak-org subject on a duty that cannot carry it', () => {
    expect(loadError(edit('"code": "INSPECTION_RECTIFICATION"', '"closedBy": "od"', '"closedBy": "OD"'))).toMatch(
      /rules\[8\]\.closedBy 应为 "reporter"（报告即完成）或 "od"（组织部验收后完成）/,
    );
    expect(loadError(edit('"code": "WEAK_ORG_RECTIFICATION"', '"kind": "month", "count": 1', '"kind": "year", "count": 1'))).toMatch(
      /rules\[9\]\.subject 按整顿记录的责任须按月、季度或半年报告/,
    );
    expect(loadError(edit('"code": "WEAK_ORG_RECTIFICATION"', '"subject": "weakOrg"', '"subject": "org"'))).toMatch(/rules\[9\]\.subject 应为 "weakOrg"/);
  });

  it('bad reminders and evidence', () => {
    expect(loadError(edit('"reminderDefaults"', '"beforeWorkingDays": [5, 1]', '"beforeWorkingDays": [5, -1]'))).toMatch(
      /reminderDefaults\.month\.beforeWorkingDays\[1\] 应为 0 或正整数（工作日数）/,
    );
    expect(loadError(edit('"code": "DEBRIEF"', ', "options": ["好", "较好", "一般", "差"]', ''))).toMatch(
      /rules\[5\]\.evidence\[1\]\.options choice 类型须列出 options/,
    );
    expect(loadError(edit('"code": "DEBRIEF"', '"type": "choice"', '"type": "select"'))).toMatch(/rules\[5\]\.evidence\[1\]\.type 应为 date、text/);
    expect(loadError(edit('"code": "DEBRIEF"', '"key": "debriefDate"', '"key": "appraisalResult"'))).toMatch(
      /rules\[5\]\.evidence\[1\]\.key 字段名 "appraisalResult" 重复/,
    );
  });

  it('a clause quote that is not in the policy text, when the text is given', () => {
    const text = edit('"code": "QUARTERLY_WORK_MEETING"', '每季度要召开一次', '每季度至少召开一次');
    expect(() => loadCatalog(text)).not.toThrow();
    expect(loadError(text, { policyText })).toBe(
      `duty-catalog.json 第 ${lineOf(text, '"code": "QUARTERLY_WORK_MEETING"', '每季度至少')} 行: rules[3].clause.quote 引文在政策原文中找不到（须逐字引用）`,
    );
  });

  it('broken JSON', () => {
    const text = edit('"code": "DEBRIEF"', '"no": 6,', '"no": 6');
    expect(loadError(text)).toMatch(new RegExp(`^duty-catalog\\.json 第 ${lineOf(text, '"code": "DEBRIEF"', '"name"')} 行: 不是有效的 JSON`));
  });
});

describe('CatalogStore', () => {
  it('swaps in a valid catalog and keeps the running one on a mistake', () => {
    const store = new CatalogStore(loadCatalog(catalogText), { policyText });
    const first = store.current;

    const bad = store.reload(edit('"code": "QUARTERLY_WORK_MEETING"', '"count": 1', '"count": 0'));
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error.message).toMatch(/rules\[3\]\.recurrence\.count 应为正整数/);
    expect(store.current).toBe(first);

    const monthly = edit('"code": "LIAISON_VISIT_LEADER"', '"kind": "quarter"', '"kind": "month"');
    const good = store.reload(monthly);
    expect(good.ok).toBe(true);
    expect(getRule(store.current, 'LIAISON_VISIT_LEADER').recurrence).toEqual({ kind: 'month', count: 1 });
    expect(getRule(store.current, 'LIAISON_VISIT_LEADER').reminders.beforeWorkingDays).toEqual([5, 1]);
  });
});
