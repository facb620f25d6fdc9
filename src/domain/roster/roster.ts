// The roster workbook (名册): units, people, grassroots orgs, liaison points. Parse and check. Pure.
import type { OrgKind, Role, UnitKind } from '../../generated/prisma/enums.js';
import { KeyIndex, type ColumnSpec, requireSheet, SheetReader } from './sheet.js';
import { type Parsed, type Problem, type RawBook, sortProblems } from './table.js';
import {
  isOpenId,
  labelOf,
  normalizeEmail,
  normalizeMobile,
  ORG_KIND_LABELS,
  ROLE_LABELS,
  UNIT_KIND_LABELS,
  YES_NO_LABELS,
} from './values.js';

export const ROSTER_SHEETS = {
  units: '单位',
  people: '人员',
  orgs: '基层党组织',
  liaisonPoints: '联系点',
} as const;

export const ROSTER_SHEET_ORDER: readonly string[] = Object.values(ROSTER_SHEETS);

export const UNIT_COLUMNS: readonly ColumnSpec[] = [{ header: '单位编号' }, { header: '单位名称' }, { header: '单位类型' }];

export const PERSON_COLUMNS: readonly ColumnSpec[] = [
  { header: '人员编号' },
  { header: '姓名' },
  { header: '单位编号' },
  { header: '角色' },
  { header: '职务', optionalColumn: true },
  { header: '飞书open_id', optionalColumn: true },
  { header: '手机号', optionalColumn: true },
  { header: '邮箱', optionalColumn: true },
];

export const ORG_COLUMNS: readonly ColumnSpec[] = [
  { header: '组织编号' },
  { header: '组织名称' },
  { header: '所属单位编号' },
  { header: '组织类型' },
  { header: '软弱涣散', optionalColumn: true },
];

export const LIAISON_COLUMNS: readonly ColumnSpec[] = [{ header: '人员编号' }, { header: '组织编号' }];

export interface UnitRow {
  row: number;
  code: string;
  name: string;
  kind: UnitKind;
}

export interface PersonRow {
  row: number;
  code: string;
  name: string;
  unitCode: string;
  role: Role;
  title: string | null;
  larkOpenId: string | null;
  /** 11 digits, mainland China. */
  mobile: string | null;
  /** Lower case. */
  email: string | null;
}

export interface OrgRow {
  row: number;
  code: string;
  name: string;
  unitCode: string;
  kind: OrgKind;
  weakLax: boolean;
}

export interface LiaisonRow {
  row: number;
  personCode: string;
  orgCode: string;
}

export interface ParsedRoster {
  units: UnitRow[];
  people: PersonRow[];
  orgs: OrgRow[];
  liaisonPoints: LiaisonRow[];
}

/** Roles that take a grassroots liaison point (四(二)1, 四(三)2, 四(四)2). */
export const LIAISON_ROLES: ReadonlySet<Role> = new Set<Role>(['SECRETARY', 'DEPUTY', 'MEMBER', 'DISTRICT_LEADER']);

/**
 * Parse and check a whole roster. Every problem is reported, not just the first:
 * required cells, allowed values, duplicate keys, unknown references, more than one 书记 per unit,
 * liaison points outside the person's unit, malformed mobile / e-mail / open_id, unknown headers.
 */
export function parseRoster(book: RawBook): Parsed<ParsedRoster> {
  const problems: Problem[] = [];
  const sheets = ROSTER_SHEET_ORDER;
  const unitSheet = requireSheet(book, ROSTER_SHEETS.units, sheets, problems);
  const personSheet = requireSheet(book, ROSTER_SHEETS.people, sheets, problems);
  const orgSheet = requireSheet(book, ROSTER_SHEETS.orgs, sheets, problems);
  const liaisonSheet = requireSheet(book, ROSTER_SHEETS.liaisonPoints, sheets, problems);

  // ---------------------------------------------------------------- 单位
  const units: UnitRow[] = [];
  const unitByCode = new KeyIndex<{ name: string; kind: UnitKind | undefined }>();
  const unitByName = new KeyIndex<string>();
  if (unitSheet) {
    const s = new SheetReader(unitSheet, UNIT_COLUMNS, problems);
    const rows = s.rows();
    if (rows.length === 0) s.add(null, null, '「单位」表没有数据');
    for (const r of rows) {
      const code = r.required('单位编号');
      const name = r.required('单位名称');
      const kind = r.choice('单位类型', UNIT_KIND_LABELS);
      let ok = true;
      if (code !== undefined) ok = unitByCode.claim(r, code, '单位编号', `单位编号「${code}」`, { name: name ?? '', kind }) && ok;
      if (name !== undefined) ok = unitByName.claim(r, name, '单位名称', `单位名称「${name}」`, code ?? '') && ok;
      if (ok && code !== undefined && name !== undefined && kind !== undefined) units.push({ row: r.row, code, name, kind });
    }
  }

  // ---------------------------------------------------------------- 人员
  const people: PersonRow[] = [];
  const personByCode = new KeyIndex<{ name: string; unitCode: string | undefined; role: Role | undefined }>();
  if (personSheet) {
    const s = new SheetReader(personSheet, PERSON_COLUMNS, problems);
    const rows = s.rows();
    if (rows.length === 0) s.add(null, null, '「人员」表没有数据');
    const byOpenId = new KeyIndex<string>();
    const byMobile = new KeyIndex<string>();
    const byEmail = new KeyIndex<string>();
    const secretaries = new Map<string, { row: number; name: string }>();
    for (const r of rows) {
      const code = r.required('人员编号');
      const name = r.required('姓名');
      const unitCode = r.required('单位编号');
      const role = r.choice('角色', ROLE_LABELS);
      const title = r.optional('职务');
      let ok = code !== undefined && name !== undefined && unitCode !== undefined && role !== undefined;
      const unit = unitCode !== undefined ? unitByCode.get(unitCode) : undefined;
      if (code !== undefined) {
        // An unknown unit is reported below; it is left out here so that liaison checks do not repeat it.
        const knownUnit = unit || !unitSheet ? unitCode : undefined;
        ok = personByCode.claim(r, code, '人员编号', `人员编号「${code}」`, { name: name ?? '', unitCode: knownUnit, role }) && ok;
      }
      if (unitCode !== undefined) {
        if (unitSheet && !unit) {
          r.problem('单位编号', `单位编号「${unitCode}」在「单位」表中不存在`);
          ok = false;
        }
        if (unit && role === 'OD_STAFF' && unit.kind !== undefined && unit.kind !== 'OD') {
          r.problem(
            '角色',
            `组织部工作人员应属于单位类型为「区委组织部」的单位，单位「${unitCode} ${unit.name}」的类型是${labelOf(UNIT_KIND_LABELS, unit.kind)}`,
          );
          ok = false;
        }
        if (role === 'SECRETARY') {
          const first = secretaries.get(unitCode);
          if (first) {
            r.problem('角色', `单位「${unitCode}」已有书记（第 ${first.row} 行 ${first.name}），每个单位只能有一名书记`);
            ok = false;
          } else {
            secretaries.set(unitCode, { row: r.row, name: name ?? '' });
          }
        }
      }

      // Lark identity: at least one of open_id, mobile, e-mail.
      const rawOpenId = r.optional('飞书open_id');
      const rawMobile = r.optional('手机号');
      const rawEmail = r.optional('邮箱');
      let larkOpenId: string | null = null;
      let mobile: string | null = null;
      let email: string | null = null;
      if (rawOpenId === null && rawMobile === null && rawEmail === null) {
        r.problem('飞书open_id', '飞书open_id、手机号、邮箱至少填一项，否则无法找到此人的飞书账号');
        ok = false;
      }
      if (rawOpenId !== null) {
        if (!isOpenId(rawOpenId)) {
          r.problem('飞书open_id', `飞书open_id「${rawOpenId}」格式不对，应以 ou_ 开头，如 ou_7d8a6e6df7621556ce0d21922b676706`);
          ok = false;
        } else if (byOpenId.claim(r, rawOpenId, '飞书open_id', `飞书open_id「${rawOpenId}」`, code ?? '')) {
          larkOpenId = rawOpenId;
        } else ok = false;
      }
      if (rawMobile !== null) {
        const m = normalizeMobile(rawMobile);
        if (m === undefined) {
          r.problem('手机号', `手机号「${rawMobile}」格式不对，应为 11 位中国大陆手机号，如 13800138000`);
          ok = false;
        } else if (byMobile.claim(r, m, '手机号', `手机号「${rawMobile}」`, code ?? '')) {
          mobile = m;
        } else ok = false;
      }
      if (rawEmail !== null) {
        const e = normalizeEmail(rawEmail);
        if (e === undefined) {
          r.problem('邮箱', `邮箱「${rawEmail}」格式不对，应如 zhangsan@example.gov.cn`);
          ok = false;
        } else if (byEmail.claim(r, e, '邮箱', `邮箱「${rawEmail}」`, code ?? '')) {
          email = e;
        } else ok = false;
      }
      if (ok && code !== undefined && name !== undefined && unitCode !== undefined && role !== undefined) {
        people.push({ row: r.row, code, name, unitCode, role, title, larkOpenId, mobile, email });
      }
    }
  }

  // ---------------------------------------------------------------- 基层党组织
  const orgs: OrgRow[] = [];
  const orgByCode = new KeyIndex<{ name: string; unitCode: string | undefined }>();
  if (orgSheet) {
    const s = new SheetReader(orgSheet, ORG_COLUMNS, problems);
    const nameInUnit = new KeyIndex<string>();
    for (const r of s.rows()) {
      const code = r.required('组织编号');
      const name = r.required('组织名称');
      const unitCode = r.required('所属单位编号');
      const kind = r.choice('组织类型', ORG_KIND_LABELS);
      const weakLax = r.choice('软弱涣散', YES_NO_LABELS, false);
      let ok = code !== undefined && name !== undefined && unitCode !== undefined && kind !== undefined && weakLax !== undefined;
      const knownUnit = unitCode !== undefined && (unitByCode.has(unitCode) || !unitSheet) ? unitCode : undefined;
      if (code !== undefined) ok = orgByCode.claim(r, code, '组织编号', `组织编号「${code}」`, { name: name ?? '', unitCode: knownUnit }) && ok;
      if (unitCode !== undefined) {
        if (unitSheet && !unitByCode.has(unitCode)) {
          r.problem('所属单位编号', `单位编号「${unitCode}」在「单位」表中不存在`);
          ok = false;
        } else if (name !== undefined) {
          ok = nameInUnit.claim(r, `${unitCode}\u0000${name}`, '组织名称', `同一单位下组织名称「${name}」`, code ?? '') && ok;
        }
      }
      if (ok && code !== undefined && name !== undefined && unitCode !== undefined && kind !== undefined && weakLax !== undefined) {
        orgs.push({ row: r.row, code, name, unitCode, kind, weakLax });
      }
    }
  }

  // ---------------------------------------------------------------- 联系点
  const liaisonPoints: LiaisonRow[] = [];
  if (liaisonSheet) {
    const s = new SheetReader(liaisonSheet, LIAISON_COLUMNS, problems);
    const pairs = new KeyIndex<true>();
    for (const r of s.rows()) {
      const personCode = r.required('人员编号');
      const orgCode = r.required('组织编号');
      let ok = personCode !== undefined && orgCode !== undefined;
      const person = personCode !== undefined ? personByCode.get(personCode) : undefined;
      const org = orgCode !== undefined ? orgByCode.get(orgCode) : undefined;
      if (personCode !== undefined && personSheet && !person) {
        r.problem('人员编号', `人员编号「${personCode}」在「人员」表中不存在`);
        ok = false;
      }
      if (orgCode !== undefined && orgSheet && !org) {
        r.problem('组织编号', `组织编号「${orgCode}」在「基层党组织」表中不存在`);
        ok = false;
      }
      if (person && person.role !== undefined && !LIAISON_ROLES.has(person.role)) {
        r.problem(
          '人员编号',
          `人员「${personCode} ${person.name}」的角色是${labelOf(ROLE_LABELS, person.role)}；只有书记、分管领导、班子成员和区领导设基层联系点`,
        );
        ok = false;
      }
      if (
        person &&
        org &&
        person.role !== 'DISTRICT_LEADER' &&
        person.unitCode !== undefined &&
        org.unitCode !== undefined &&
        person.unitCode !== org.unitCode
      ) {
        r.problem(
          '组织编号',
          `组织「${orgCode} ${org.name}」属于单位 ${org.unitCode}，不在人员「${personCode} ${person.name}」所在的单位 ${person.unitCode}；基层联系点应在本单位`,
        );
        ok = false;
      }
      if (personCode !== undefined && orgCode !== undefined) {
        ok = pairs.claim(r, `${personCode}\u0000${orgCode}`, '组织编号', `联系点（人员「${personCode}」、组织「${orgCode}」）`, true) && ok;
      }
      if (ok && personCode !== undefined && orgCode !== undefined) liaisonPoints.push({ row: r.row, personCode, orgCode });
    }
  }

  if (problems.length > 0) return { ok: false, problems: sortProblems(problems, ROSTER_SHEET_ORDER) };
  return { ok: true, value: { units, people, orgs, liaisonPoints } };
}
