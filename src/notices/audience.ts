// Who a notice goes to: a unit scope (all units, towns and subdistricts, district departments, or named
// units) and an optional role filter. Parsing is pure; resolving reads the roster.
import type { Db } from '../db/client.js';
import type { Role, UnitKind } from '../generated/prisma/enums.js';

export type UnitScope = 'ALL' | 'TOWNS' | 'DEPARTMENTS' | 'UNITS';
export type RoleFilter = 'ANY' | 'SECRETARY' | 'STAFF' | 'LEADERSHIP';

export interface Audience {
  scope: UnitScope;
  /** Unit names, for scope UNITS. */
  units?: string[];
  role: RoleFilter;
}

export const SCOPE_LABEL: Readonly<Record<UnitScope, string>> = { ALL: '全部单位', TOWNS: '镇街', DEPARTMENTS: '区属部门', UNITS: '指定单位' };
export const ROLE_LABEL: Readonly<Record<RoleFilter, string>> = { ANY: '全体人员', SECRETARY: '书记', STAFF: '党建工作人员', LEADERSHIP: '全体班子' };

const SCOPE_KINDS: Readonly<Record<Exclude<UnitScope, 'UNITS'>, UnitKind[]>> = {
  ALL: ['TOWN', 'SUBDISTRICT', 'DEPARTMENT', 'OTHER'],
  TOWNS: ['TOWN', 'SUBDISTRICT'],
  DEPARTMENTS: ['DEPARTMENT'],
};
const ROLE_SET: Readonly<Record<RoleFilter, Role[]>> = {
  ANY: ['SECRETARY', 'DEPUTY', 'MEMBER', 'STAFF'],
  SECRETARY: ['SECRETARY'],
  STAFF: ['STAFF'],
  LEADERSHIP: ['SECRETARY', 'DEPUTY', 'MEMBER'],
};

/** Split '东岸镇，区教育局, 区卫健局' into names. Pure. */
export function splitUnitNames(text: string): string[] {
  return [...new Set(text.split(/[,，、;；\s]+/).map((s) => s.trim()).filter(Boolean))];
}

export function describeAudience(a: Audience): string {
  const where = a.scope === 'UNITS' ? `指定单位（${(a.units ?? []).join('、')}）` : SCOPE_LABEL[a.scope];
  return `${where} · ${ROLE_LABEL[a.role]}`;
}

export function parseAudience(v: unknown): Audience {
  const o = (v ?? {}) as Partial<Audience>;
  const scope = o.scope && o.scope in SCOPE_LABEL ? o.scope : 'ALL';
  const role = o.role && o.role in ROLE_LABEL ? o.role : 'ANY';
  return { scope, role, ...(scope === 'UNITS' ? { units: Array.isArray(o.units) ? o.units.map(String) : [] } : {}) };
}

/** Unit names that are not in the roster (for scope UNITS). */
export async function unknownUnits(db: Db, names: string[]): Promise<string[]> {
  const found = await db.unit.findMany({ where: { name: { in: names }, active: true }, select: { name: true } });
  const have = new Set(found.map((u) => u.name));
  return names.filter((n) => !have.has(n));
}

/** The active people the audience names, in unit then person order. */
export async function resolveAudience(db: Db, a: Audience): Promise<{ id: number }[]> {
  const unitWhere = a.scope === 'UNITS' ? { name: { in: a.units ?? [] }, active: true } : { kind: { in: SCOPE_KINDS[a.scope] }, active: true };
  return db.person.findMany({
    where: { active: true, role: { in: ROLE_SET[a.role] }, unit: unitWhere },
    select: { id: true },
    orderBy: [{ unitId: 'asc' }, { id: 'asc' }],
  });
}
