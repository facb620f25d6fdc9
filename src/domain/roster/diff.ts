// What a roster import would change, row by row, against the roster in the database: what the
// preview card shows before the OD confirms. Pure.
import type { OrgKind, Role, UnitKind } from '../../generated/prisma/enums.js';
import { ORG_KIND_ZH, ROLE_ZH, UNIT_KIND_ZH } from '../roles.js';
import type { ParsedRoster } from './roster.js';

export interface CurrentRoster {
  units: { id: number; code: string; name: string; kind: UnitKind; active: boolean }[];
  people: { id: number; code: string; name: string; unitId: number; role: Role; title: string | null; larkOpenId: string | null; mobile: string | null; email: string | null; active: boolean }[];
  orgs: { id: number; code: string; name: string; unitId: number; kind: OrgKind; weakLax: boolean; active: boolean }[];
  liaisonPoints: { personId: number; orgId: number; active: boolean }[];
}

export interface FieldChange {
  field: string;
  from: string;
  to: string;
}

export interface RowChange {
  code: string;
  name: string;
  changes: FieldChange[];
}

export interface SectionDiff {
  added: { code: string; name: string }[];
  changed: RowChange[];
  deactivated: { code: string; name: string }[];
}

export interface RosterDiff {
  units: SectionDiff;
  people: SectionDiff & {
    /** People whose role or unit changes, or who leave: their open duties are affected. */
    moved: { id: number; code: string; name: string; unitId: number; role: Role; newRole: Role | null; newUnitCode: string | null }[];
  };
  orgs: SectionDiff;
  liaisonPoints: { added: string[]; removed: string[] };
}

const show = (v: string | null | undefined) => (v === null || v === undefined || v === '' ? '（空）' : v);

function field(out: FieldChange[], name: string, from: string | null, to: string | null) {
  if ((from ?? '') !== (to ?? '')) out.push({ field: name, from: show(from), to: show(to) });
}

export function rosterDiff(next: ParsedRoster, cur: CurrentRoster): RosterDiff {
  const unitById = new Map(cur.units.map((u) => [u.id, u]));
  const unitCodeName = new Map([...cur.units.map((u) => [u.code, u.name] as const), ...next.units.map((u) => [u.code, u.name] as const)]);

  const units: SectionDiff = { added: [], changed: [], deactivated: [] };
  const oldUnits = new Map(cur.units.map((u) => [u.code, u]));
  for (const r of next.units) {
    const o = oldUnits.get(r.code);
    if (!o) {
      units.added.push({ code: r.code, name: r.name });
      continue;
    }
    const changes: FieldChange[] = [];
    field(changes, '名称', o.name, r.name);
    field(changes, '类型', UNIT_KIND_ZH[o.kind], UNIT_KIND_ZH[r.kind]);
    if (!o.active) changes.push({ field: '状态', from: '已停用', to: '启用' });
    if (changes.length) units.changed.push({ code: r.code, name: r.name, changes });
  }
  const unitCodes = new Set(next.units.map((u) => u.code));
  for (const u of cur.units) if (u.active && !unitCodes.has(u.code)) units.deactivated.push({ code: u.code, name: u.name });

  const people: RosterDiff['people'] = { added: [], changed: [], deactivated: [], moved: [] };
  const oldPeople = new Map(cur.people.map((p) => [p.code, p]));
  const inFile = new Set(next.people.map((p) => p.code));
  for (const r of next.people) {
    const o = oldPeople.get(r.code);
    if (!o) {
      people.added.push({ code: r.code, name: r.name });
      continue;
    }
    const oldUnit = unitById.get(o.unitId);
    const changes: FieldChange[] = [];
    field(changes, '姓名', o.name, r.name);
    field(changes, '单位', oldUnit?.name ?? null, unitCodeName.get(r.unitCode) ?? r.unitCode);
    field(changes, '角色', ROLE_ZH[o.role], ROLE_ZH[r.role]);
    field(changes, '职务', o.title, r.title);
    if (r.larkOpenId !== null) field(changes, '飞书open_id', o.larkOpenId, r.larkOpenId);
    field(changes, '手机号', o.mobile, r.mobile);
    field(changes, '邮箱', o.email, r.email);
    if (!o.active) changes.push({ field: '状态', from: '已停用', to: '启用' });
    if (changes.length) people.changed.push({ code: r.code, name: r.name, changes });
    if (o.active && (o.role !== r.role || oldUnit?.code !== r.unitCode)) {
      people.moved.push({ id: o.id, code: o.code, name: o.name, unitId: o.unitId, role: o.role, newRole: r.role, newUnitCode: r.unitCode });
    }
  }
  for (const p of cur.people) {
    if (!p.active || inFile.has(p.code)) continue;
    people.deactivated.push({ code: p.code, name: p.name });
    people.moved.push({ id: p.id, code: p.code, name: p.name, unitId: p.unitId, role: p.role, newRole: null, newUnitCode: null });
  }

  const orgs: SectionDiff = { added: [], changed: [], deactivated: [] };
  const oldOrgs = new Map(cur.orgs.map((o) => [o.code, o]));
  for (const r of next.orgs) {
    const o = oldOrgs.get(r.code);
    if (!o) {
      orgs.added.push({ code: r.code, name: r.name });
      continue;
    }
    const changes: FieldChange[] = [];
    field(changes, '名称', o.name, r.name);
    field(changes, '所属单位', unitById.get(o.unitId)?.name ?? null, unitCodeName.get(r.unitCode) ?? r.unitCode);
    field(changes, '类型', ORG_KIND_ZH[o.kind], ORG_KIND_ZH[r.kind]);
    field(changes, '软弱涣散', o.weakLax ? '是' : '否', r.weakLax ? '是' : '否');
    if (!o.active) changes.push({ field: '状态', from: '已停用', to: '启用' });
    if (changes.length) orgs.changed.push({ code: r.code, name: r.name, changes });
  }
  const orgCodes = new Set(next.orgs.map((o) => o.code));
  for (const o of cur.orgs) if (o.active && !orgCodes.has(o.code)) orgs.deactivated.push({ code: o.code, name: o.name });

  const personCode = new Map(cur.people.map((p) => [p.id, p.code]));
  const orgCode = new Map(cur.orgs.map((o) => [o.id, o.code]));
  const personName = new Map([...cur.people.map((p) => [p.code, p.name] as const), ...next.people.map((p) => [p.code, p.name] as const)]);
  const orgName = new Map([...cur.orgs.map((o) => [o.code, o.name] as const), ...next.orgs.map((o) => [o.code, o.name] as const)]);
  const label = (k: string) => {
    const [p, o] = k.split('→') as [string, string];
    return `${personName.get(p) ?? p} → ${orgName.get(o) ?? o}`;
  };
  const before = new Set(cur.liaisonPoints.filter((l) => l.active).map((l) => `${personCode.get(l.personId)}→${orgCode.get(l.orgId)}`));
  const after = new Set(next.liaisonPoints.map((l) => `${l.personCode}→${l.orgCode}`));
  const liaisonPoints = {
    added: [...after].filter((k) => !before.has(k)).map(label),
    removed: [...before].filter((k) => !after.has(k)).map(label),
  };
  return { units, people, orgs, liaisonPoints };
}

export function diffIsEmpty(d: RosterDiff): boolean {
  const empty = (s: SectionDiff) => !s.added.length && !s.changed.length && !s.deactivated.length;
  return empty(d.units) && empty(d.people) && empty(d.orgs) && !d.liaisonPoints.added.length && !d.liaisonPoints.removed.length;
}
