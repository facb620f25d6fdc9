// What the roster owes: the obligations of the calendar duties for a year, and one obligation for each
// responsibility-list item and project milestone. Pure: the roster and `now` come in as data, plain
// objects matching the Obligation columns come out; the caller writes them through the unique key
// (ruleCode, ownerKey, periodKey, subjectKey), so planning again changes nothing.
//
// Rules (see also planObligations):
// - A calendar duty "at least N a period" is one obligation per period with requiredCount N, due at the
//   period's end: dueAt is the last millisecond of the period in Beijing time (2026-11-30 23:59:59.999
//   for November), so beijingDay(dueAt) is the last day of the period. A yearly duty with a fixed date
//   ('03-31') is due at the end of that day; one with a window is open from window.from and due at the
//   end of window.to.
// - A person owes a period of a duty of their role if they are active and the period's due instant is
//   after their activeFrom: someone who joins (or takes the role) on 2026-07-15 owes July's visit, not
//   June's. No pro-rating: a secretary who starts on 1 December owes the year's 2 meetings.
// - Role changes: Person.activeFrom is when the person took the current role, so the plan holds only
//   the duties of the current role from that instant. Open obligations of the former role that are not
//   in the plan any more (and of people who left) are for the caller to cancel.
// - Nothing already due at `now` is planned: the past is not re-created (safe at go-live, and when a
//   roster entry is added late). Obligations planned earlier stay as they are.
// - Liaison visits (rules whose evidence has a `liaisonPoint` field) are owed whether or not the person
//   has a liaison point yet (the policy requires them to set one up); the title names the points the
//   roster gives names for.
// - Unit duties are owned by the unit ('u<id>'); personId is the unit's accountable person (the active
//   holder of accountableRole, the one with the lowest id if several), or null if there is none.
// - Units of kind OD (the organisation department itself) and inactive units owe nothing.
import type { Role, UnitKind } from '../../generated/prisma/enums.js';
import { addDays, beijingDay, beijingEndOfDay, beijingStartOfDay } from '../calendar/working-days.js';
import type { WorkingCalendar } from '../calendar/working-days.js';
import type { Catalog, DutyRule } from './catalog.js';
import { periodsOfYear } from './periods.js';
import type { Period, PeriodKind } from './periods.js';

export interface RosterUnit {
  id: number;
  kind: UnitKind;
  /** default true */
  active?: boolean;
}

export interface RosterPerson {
  id: number;
  unitId: number;
  role: Role;
  active: boolean;
  /** The instant from which the person owes the duties of the current role (join or role change). */
  activeFrom: Date;
}

export interface RosterLiaisonPoint {
  personId: number;
  orgId: number;
  /** Shown in titles when given */
  orgName?: string;
  /** default true */
  active?: boolean;
}

export interface Roster {
  units: RosterUnit[];
  people: RosterPerson[];
  liaisonPoints: RosterLiaisonPoint[];
}

/** An obligation to create: the columns of Obligation that the planner decides. */
export interface PlannedObligation {
  ruleCode: string;
  /** 'p<personId>' or 'u<unitId>' */
  ownerKey: string;
  unitId: number;
  personId: number | null;
  /** '2026', '2026-H2', '2026-Q4', '2026-11', or the subject's year */
  periodKey: string;
  /** '' for calendar duties; 'list:<id>', 'ms:<id>' */
  subjectKey: string;
  title: string;
  periodStart: Date;
  dueAt: Date;
  requiredCount: number;
}

export interface PlanInput {
  year: number;
  now: Date;
  catalog: Catalog;
  roster: Roster;
  /** Not needed: due instants are calendar period ends. Accepted so callers may pass their context. */
  cal?: WorkingCalendar;
}

/** The idempotency key of an obligation, for comparing a plan with what is stored. */
export function obligationKey(o: Pick<PlannedObligation, 'ruleCode' | 'ownerKey' | 'periodKey' | 'subjectKey'>): string {
  return `${o.ruleCode}|${o.ownerKey}|${o.periodKey}|${o.subjectKey}`;
}

interface DueSlot {
  period: Period;
  periodStart: Date;
  dueAt: Date;
}

/** The periods of a calendar rule in `year`, with their start and due instants. */
export function dueSlots(rule: DutyRule, year: number): DueSlot[] {
  if (rule.recurrence.kind === 'set') return [];
  const kind: PeriodKind = rule.recurrence.kind;
  return periodsOfYear(kind, year).map((period): DueSlot => {
    if (rule.window) {
      const { from, to } = rule.window;
      return {
        period,
        periodStart: beijingStartOfDay(monthDayOf(year, from)),
        dueAt: beijingEndOfDay(monthDayOf(to < from ? year + 1 : year, to)),
      };
    }
    if (rule.due !== 'period_end') {
      return { period, periodStart: period.start, dueAt: beijingEndOfDay(monthDayOf(year, rule.due)) };
    }
    return { period, periodStart: period.start, dueAt: new Date(period.end.getTime() - 1) };
  });
}

/** 'YYYY-MM-DD' of a 'MM-DD' in `year`; 02-29 falls on 02-28 in other years. */
function monthDayOf(year: number, monthDay: string): string {
  if (monthDay === '02-29' && addDays(`${year}-02-28`, 1) !== `${year}-02-29`) return `${year}-02-28`;
  return `${year}-${monthDay}`;
}

function titleOf(rule: DutyRule, period: Period, count: number, pointNames: string[]): string {
  let title = `${period.label} ${rule.name}`;
  if (count > 1) title += `（不少于${count}次）`;
  if (pointNames.length > 0) title += `（联系点：${pointNames.join('、')}）`;
  return title;
}

function namesLiaisonPoint(rule: DutyRule): boolean {
  return rule.evidence.some((f) => f.key === 'liaisonPoint');
}

/**
 * The obligations the roster owes for the calendar duties of `year` (rules with recurrence month,
 * quarter, half or year), in catalog order, then by unit, owner and period. See the rules at the top.
 */
export function planObligations({ year, now, catalog, roster }: PlanInput): PlannedObligation[] {
  const units = new Map(roster.units.filter((u) => u.active !== false && u.kind !== 'OD').map((u) => [u.id, u]));
  const people = roster.people.filter((p) => p.active && units.has(p.unitId)).sort((a, b) => a.unitId - b.unitId || a.id - b.id);
  const out: PlannedObligation[] = [];

  for (const rule of catalog.rules) {
    if (rule.recurrence.kind === 'set' || rule.subject) continue;
    const count = rule.recurrence.count;
    const slots = dueSlots(rule, year).filter((s) => s.dueAt > now);

    if (rule.owner === 'person') {
      for (const person of people) {
        if (!(rule.ownerRoles as readonly Role[]).includes(person.role)) continue;
        const pointNames = namesLiaisonPoint(rule) ? liaisonPointNames(roster, person.id) : [];
        for (const slot of slots) {
          if (!(slot.dueAt > person.activeFrom)) continue;
          out.push({
            ruleCode: rule.code,
            ownerKey: `p${person.id}`,
            unitId: person.unitId,
            personId: person.id,
            periodKey: slot.period.key,
            subjectKey: '',
            title: titleOf(rule, slot.period, count, pointNames),
            periodStart: slot.periodStart,
            dueAt: slot.dueAt,
            requiredCount: count,
          });
        }
      }
    } else {
      for (const unit of [...units.values()].sort((a, b) => a.id - b.id)) {
        const accountable = people.find((p) => p.unitId === unit.id && p.role === rule.accountableRole);
        for (const slot of slots) {
          out.push({
            ruleCode: rule.code,
            ownerKey: `u${unit.id}`,
            unitId: unit.id,
            personId: accountable?.id ?? null,
            periodKey: slot.period.key,
            subjectKey: '',
            title: titleOf(rule, slot.period, count, []),
            periodStart: slot.periodStart,
            dueAt: slot.dueAt,
            requiredCount: count,
          });
        }
      }
    }
  }
  return out;
}

function liaisonPointNames(roster: Roster, personId: number): string[] {
  return roster.liaisonPoints
    .filter((lp) => lp.personId === personId && lp.active !== false && lp.orgName)
    .map((lp) => lp.orgName as string);
}

// ---------------------------------------------------------------- set duties

export interface ListItemInput {
  id: number;
  unitId: number;
  year: number;
  seq: number;
  content: string;
  responsiblePersonId: number | null;
  /** A day: any instant on it means due by the end of that Beijing day. */
  deadline: Date;
}

/**
 * The obligation of one responsibility-list item (duty 7, 五(二)). The unit owns it ('u<unitId>', so a
 * change of responsible person keeps the same obligation); personId is the item's responsible person.
 */
export function planListItem(item: ListItemInput): PlannedObligation {
  return {
    ruleCode: 'LIST_ITEM',
    ownerKey: `u${item.unitId}`,
    unitId: item.unitId,
    personId: item.responsiblePersonId,
    periodKey: String(item.year),
    subjectKey: `list:${item.id}`,
    title: `${item.year}年责任清单第${item.seq}项：${shorten(item.content, 60)}`,
    periodStart: beijingStartOfDay(`${item.year}-01-01`),
    dueAt: beijingEndOfDay(beijingDay(item.deadline)),
    requiredCount: 1,
  };
}

export interface ProjectInput {
  id: number;
  unitId: number;
  year: number;
  title: string;
  kind: 'SECRETARY' | 'LEADER';
  ownerPersonId: number;
}

export interface MilestoneInput {
  id: number;
  seq: number;
  title: string;
  /** A day: any instant on it means due by the end of that Beijing day. */
  deadline: Date;
}

/** The obligation of one project milestone (duty 5, 四(四)3): owed by the project's owner. */
export function planMilestone(project: ProjectInput, milestone: MilestoneInput): PlannedObligation {
  const kind = project.kind === 'SECRETARY' ? '书记项目' : '党建项目';
  return {
    ruleCode: 'PROJECT_MILESTONE',
    ownerKey: `p${project.ownerPersonId}`,
    unitId: project.unitId,
    personId: project.ownerPersonId,
    periodKey: String(project.year),
    subjectKey: `ms:${milestone.id}`,
    title: `${kind}“${shorten(project.title, 40)}”第${milestone.seq}个节点：${shorten(milestone.title, 40)}`,
    periodStart: beijingStartOfDay(`${project.year}-01-01`),
    dueAt: beijingEndOfDay(beijingDay(milestone.deadline)),
    requiredCount: 1,
  };
}

function shorten(text: string, max: number): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return [...t].length > max ? `${[...t].slice(0, max - 1).join('')}…` : t;
}
