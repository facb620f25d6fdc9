// Successions and leavers (换届, 调动): what happens to the open duties of a person who leaves the
// roster or changes role or unit. Duties of the role (the secretary's 述职, the unit's duties he
// answers for) go to the new holder of that role in the unit; personal ones (his own liaison visits,
// his own project's milestones) are cancelled. Pure.
import type { Role } from '../../generated/prisma/enums.js';
import type { DutyRule } from '../duties/catalog.js';

/** Personal duties belong to the person, not the post: liaison visits (an org of his) and his own project. */
export function isPersonalDuty(rule: Pick<DutyRule, 'owner' | 'evidence' | 'recurrence'>): boolean {
  return rule.owner === 'person' && (rule.evidence.some((e) => e.type === 'orgRef') || rule.recurrence.kind === 'set');
}

export interface Leaver {
  personId: number;
  code: string;
  name: string;
  unitCode: string;
  role: Role;
  /** null: leaves the roster */
  newRole: Role | null;
}

export interface NextPerson {
  code: string;
  name: string;
  unitCode: string;
  role: Role;
  /** Not in the roster before, or before in another role or unit. */
  arriving: boolean;
}

/** The new holder of the leaver's role in his unit: the one secretary; else someone arriving in that role. */
export function successorOf(leaver: Leaver, next: readonly NextPerson[]): NextPerson | null {
  const same = next.filter((p) => p.code !== leaver.code && p.unitCode === leaver.unitCode && p.role === leaver.role);
  if (leaver.role === 'SECRETARY') return same[0] ?? null;
  return same.find((p) => p.arriving) ?? null;
}

export interface OpenDuty {
  id: number;
  ruleCode: string;
  title: string;
  personId: number | null;
  ownerKey: string;
}

export interface DutyStep {
  obligationId: number;
  title: string;
  fromPersonId: number;
  fromName: string;
  /** move: to the successor; cancel: personal, or no successor for a leaver's role duty that is his alone */
  action: 'move' | 'cancel' | 'keep';
  to: NextPerson | null;
  reason: string;
}

export function planSuccession(leavers: readonly Leaver[], open: readonly OpenDuty[], rules: ReadonlyMap<string, DutyRule>, next: readonly NextPerson[]): DutyStep[] {
  const steps: DutyStep[] = [];
  for (const l of leavers) {
    const to = successorOf(l, next);
    const why = l.newRole === null ? '离任（花名册中已无此人）' : '调整职务或单位';
    for (const ob of open.filter((o) => o.personId === l.personId)) {
      const rule = rules.get(ob.ruleCode);
      if (!rule) continue;
      const base = { obligationId: ob.id, title: ob.title, fromPersonId: l.personId, fromName: l.name };
      if (isPersonalDuty(rule)) {
        // A person who stays keeps his own liaison points and project; the planner re-plans them by role.
        if (l.newRole !== null) continue;
        steps.push({ ...base, action: 'cancel', to: null, reason: `${why}，个人责任自离任之日起取消` });
      } else if (to) {
        steps.push({ ...base, action: 'move', to, reason: `${why}，由接任${l.role === 'SECRETARY' ? '书记' : '者'} ${to.name} 承接` });
      } else if (l.newRole === null) {
        steps.push({ ...base, action: 'keep', to: null, reason: `${why}，尚无接任者：待新任人员导入后承接` });
      }
    }
  }
  return steps;
}
