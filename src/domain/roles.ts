import type { OrgKind, Role, UnitKind } from '../generated/prisma/enums.js';

/** Chinese names of roles and kinds, as users see them (the roster import accepts the same words). */
export const ROLE_ZH: Readonly<Record<Role, string>> = {
  SECRETARY: '书记（第一责任人）',
  DEPUTY: '分管领导（直接责任人）',
  MEMBER: '班子成员（具体责任人）',
  STAFF: '党建工作人员',
  OD_STAFF: '区委组织部工作人员',
  DISTRICT_LEADER: '区领导',
};

export const UNIT_KIND_ZH: Readonly<Record<UnitKind, string>> = {
  TOWN: '镇党委',
  SUBDISTRICT: '街道党工委',
  DEPARTMENT: '区属部门',
  OTHER: '其他',
  OD: '区委组织部',
};

export const ORG_KIND_ZH: Readonly<Record<OrgKind, string>> = {
  VILLAGE: '村',
  COMMUNITY: '社区',
  ORGAN: '机关',
  TWO_NEW: '两新组织',
  OTHER: '其他',
};
