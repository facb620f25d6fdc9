import type { Role } from '../generated/prisma/enums.js';

/**
 * Who may do what (deny by default). Pure. Each action names the roles allowed; scope rules
 * (own obligations, own unit, whole district) are applied by the queries of each command.
 */
export type Action =
  | 'duties.own' // see and report one's own duties
  | 'unit.view' // see a unit's open items and statistics
  | 'district.view' // see every unit
  | 'inspection.record' // record an inspection and its findings (五(三))
  | 'inspection.review' // accept or return a submitted rectification
  | 'weakorg.mark' // mark an org weak and lax, or lift the mark (四(一)3)
  | 'export' // assessment export
  | 'rules.change' // change the duty catalog
  | 'od.data' // roster imports, the working-day calendar and the duty catalog, from chat
  | 'notice.send'; // broadcast a notice

const ALLOWED: Readonly<Record<Action, readonly Role[]>> = {
  'duties.own': ['SECRETARY', 'DEPUTY', 'MEMBER', 'STAFF', 'OD_STAFF', 'DISTRICT_LEADER'],
  'unit.view': ['SECRETARY', 'STAFF', 'OD_STAFF', 'DISTRICT_LEADER'],
  'district.view': ['OD_STAFF', 'DISTRICT_LEADER'],
  'inspection.record': ['OD_STAFF'],
  'inspection.review': ['OD_STAFF'],
  'weakorg.mark': ['OD_STAFF'],
  export: ['OD_STAFF'],
  'rules.change': ['OD_STAFF'],
  'od.data': ['OD_STAFF'],
  'notice.send': ['OD_STAFF'],
};

/** Chinese reason shown to a refused user, one line. */
const REASON: Readonly<Record<Action, string>> = {
  'duties.own': '只有花名册中的人员可以查看和汇报党建责任。',
  'unit.view': '只有本单位书记、党建工作人员、区委组织部和区领导可以查看单位情况。',
  'district.view': '只有区委组织部和区领导可以查看全区情况。',
  'inspection.record': '只有区委组织部工作人员可以记录督查情况。',
  'inspection.review': '只有区委组织部工作人员可以验收整改。',
  'weakorg.mark': '只有区委组织部工作人员可以标记软弱涣散党组织或销号。',
  export: '只有区委组织部工作人员可以导出考核材料。',
  'rules.change': '只有区委组织部工作人员可以修改责任目录。',
  'od.data': '只有区委组织部工作人员可以导入花名册、录入节假日安排和修改责任目录。',
  'notice.send': '只有区委组织部工作人员可以发布通知。',
};

export function can(role: Role, action: Action): boolean {
  return ALLOWED[action].includes(role);
}

/** May this person see that unit? Their own unit (secretary, staff), or any unit (OD, district leaders). */
export function canViewUnit(person: { role: Role; unitId: number }, unitId: number): boolean {
  if (can(person.role, 'district.view')) return true;
  return can(person.role, 'unit.view') && person.unitId === unitId;
}

export function refusal(action: Action): string {
  return REASON[action];
}
