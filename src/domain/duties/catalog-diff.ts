// What a new duty catalog changes against the running one, rule by rule and field by field. Pure.
import type { Catalog, DutyRule } from './catalog.js';

const FIELD_ZH: Partial<Record<keyof DutyRule, string>> = {
  name: '名称', owner: '责任主体', ownerRoles: '责任人角色', accountableRole: '负责角色', organiserRole: '组织角色',
  recurrence: '频次', due: '截止', window: '时段', reminders: '提醒', closedBy: '销号方式', subject: '对象', evidence: '报告内容',
  clause: '依据', seeAlso: '参见', no: '序号',
};

export interface CatalogDiff {
  added: { code: string; name: string }[];
  removed: { code: string; name: string }[];
  changed: { code: string; name: string; fields: { field: string; from: string; to: string }[] }[];
}

const show = (v: unknown) => (v === null || v === undefined ? '（无）' : typeof v === 'string' ? v : JSON.stringify(v));

export function catalogDiff(before: Catalog, after: Catalog): CatalogDiff {
  const old = new Map(before.rules.map((r) => [r.code, r]));
  const next = new Map(after.rules.map((r) => [r.code, r]));
  const diff: CatalogDiff = { added: [], removed: [], changed: [] };
  for (const r of after.rules) {
    const o = old.get(r.code);
    if (!o) {
      diff.added.push({ code: r.code, name: r.name });
      continue;
    }
    const fields = (Object.keys(FIELD_ZH) as (keyof DutyRule)[])
      .filter((k) => JSON.stringify(o[k] ?? null) !== JSON.stringify(r[k] ?? null))
      .map((k) => ({ field: FIELD_ZH[k]!, from: show(o[k]), to: show(r[k]) }));
    if (fields.length) diff.changed.push({ code: r.code, name: r.name, fields });
  }
  for (const r of before.rules) if (!next.has(r.code)) diff.removed.push({ code: r.code, name: r.name });
  return diff;
}
