// Allowed cell values (Chinese labels ↔ enum values) and cell-value parsers. Pure.
import type { OrgKind, ProjectKind, Role, UnitKind } from '../../generated/prisma/enums.js';

export const UNIT_KIND_LABELS: ReadonlyArray<readonly [string, UnitKind]> = [
  ['镇党委', 'TOWN'],
  ['街道党工委', 'SUBDISTRICT'],
  ['区属部门', 'DEPARTMENT'],
  ['其他', 'OTHER'],
  ['区委组织部', 'OD'],
];

export const ROLE_LABELS: ReadonlyArray<readonly [string, Role]> = [
  ['书记', 'SECRETARY'],
  ['分管领导', 'DEPUTY'],
  ['班子成员', 'MEMBER'],
  ['党建工作人员', 'STAFF'],
  ['组织部工作人员', 'OD_STAFF'],
  ['区领导', 'DISTRICT_LEADER'],
];

export const ORG_KIND_LABELS: ReadonlyArray<readonly [string, OrgKind]> = [
  ['村', 'VILLAGE'],
  ['社区', 'COMMUNITY'],
  ['机关', 'ORGAN'],
  ['两新组织', 'TWO_NEW'],
  ['其他', 'OTHER'],
];

export const PROJECT_KIND_LABELS: ReadonlyArray<readonly [string, ProjectKind]> = [
  ['书记项目', 'SECRETARY'],
  ['班子成员项目', 'LEADER'],
];

export const YES_NO_LABELS: ReadonlyArray<readonly [string, boolean]> = [
  ['是', true],
  ['否', false],
];

export function labelOf<T>(labels: ReadonlyArray<readonly [string, T]>, value: T): string {
  return labels.find(([, v]) => v === value)?.[0] ?? String(value);
}

export function allowedList<T>(labels: ReadonlyArray<readonly [string, T]>): string {
  return labels.map(([l]) => l).join('、');
}

/** The value for a label, or undefined. Ignores spaces inside the label. */
export function lookupLabel<T>(labels: ReadonlyArray<readonly [string, T]>, text: string): T | undefined {
  const t = text.replace(/[\s\u3000]+/g, '');
  return labels.find(([l]) => l === t)?.[1];
}

/**
 * A mainland China mobile number, normalised to its 11 digits, or undefined.
 * Accepts spaces and dashes, and a +86 / 86 / 0086 prefix.
 */
export function normalizeMobile(text: string): string | undefined {
  let t = text.replace(/[\s\u3000\-()（）]/g, '');
  t = t.replace(/^(\+86|0086|86)(?=1\d{10}$)/, '');
  return /^1[3-9]\d{9}$/.test(t) ? t : undefined;
}

export function normalizeEmail(text: string): string | undefined {
  const t = text.trim();
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(t) ? t.toLowerCase() : undefined;
}

/** Lark open_id: "ou_" followed by letters, digits or underscores. */
export function isOpenId(text: string): boolean {
  return /^ou_[A-Za-z0-9_]+$/.test(text);
}

export interface CalendarDate {
  y: number;
  m: number;
  d: number;
}

/**
 * A calendar date from 2026-03-31, 2026/3/31, 2026.3.31, 2026年3月31日 or 20260331
 * (a trailing time such as " 00:00:00" is ignored). Undefined if not a real date.
 */
export function parseDate(text: string): CalendarDate | undefined {
  const t = text.trim().replace(/\s+\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$/, '');
  const m =
    /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/.exec(t) ??
    /^(\d{4})年(\d{1,2})月(\d{1,2})日?$/.exec(t) ??
    /^(\d{4})(\d{2})(\d{2})$/.exec(t);
  if (!m) return undefined;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (y < 2000 || y > 2100 || mo < 1 || mo > 12 || d < 1) return undefined;
  const dim = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  if (d > dim) return undefined;
  return { y, m: mo, d };
}

export function formatDate(c: CalendarDate): string {
  return `${c.y}-${String(c.m).padStart(2, '0')}-${String(c.d).padStart(2, '0')}`;
}

/**
 * The instant a deadline date stands for: the end of that day in Beijing time
 * (23:59:59.999 Asia/Shanghai = 15:59:59.999 UTC the same day). China has no DST.
 */
export function deadlineInstant(c: CalendarDate): Date {
  return new Date(Date.UTC(c.y, c.m - 1, c.d, 15, 59, 59, 999));
}

/** A positive integer written as digits (Excel may give "3" or "3.0"). */
export function parsePositiveInt(text: string): number | undefined {
  const t = text.trim().replace(/\.0+$/, '');
  if (!/^\d{1,9}$/.test(t)) return undefined;
  const n = Number(t);
  return n >= 1 ? n : undefined;
}

/** A four-digit year between 2000 and 2100 ("2026", "2026年", "2026.0"). */
export function parseYear(text: string): number | undefined {
  const t = text.trim().replace(/年$/, '').replace(/\.0+$/, '');
  if (!/^\d{4}$/.test(t)) return undefined;
  const n = Number(t);
  return n >= 2000 && n <= 2100 ? n : undefined;
}
