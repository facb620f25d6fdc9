// A notice that asks for feedback (载体活动, duty 8 THEMATIC_ACTIVITY, 四(四)4): each recipient unit owes
// one report by the feedback deadline. Pure: the notice and its recipient units come in as data, plain
// objects matching the Obligation columns come out; the caller writes them through the unique key
// (ruleCode, ownerKey, periodKey, subjectKey), so confirming again creates nothing.
//
// - One obligation per unit (ownerKey 'u<unitId>'), whatever the number of recipients in it; units of
//   kind OD and inactive units owe nothing.
// - personId is the unit's active SECRETARY (lowest id if several) or null.
// - subjectKey 'notice:<id>', periodKey the deadline's Beijing year, dueAt the end of its Beijing day,
//   periodStart the start of the Beijing day the notice was confirmed.
import type { Role, UnitKind } from '../../generated/prisma/enums.js';
import { beijingDay, beijingEndOfDay, beijingStartOfDay } from '../calendar/working-days.js';
import type { PlannedObligation } from '../duties/plan.js';

export const NOTICE_FEEDBACK_RULE = 'THEMATIC_ACTIVITY';

export interface FeedbackNotice {
  id: number;
  title: string;
  /** Any instant on the deadline day: due by the end of that Beijing day. */
  feedbackDue: Date;
}

export interface FeedbackUnit {
  id: number;
  kind: UnitKind;
  active?: boolean;
  people: { id: number; role: Role; active: boolean }[];
}

export function noticeSubjectKey(noticeId: number): string {
  return `notice:${noticeId}`;
}

/** The obligations of a feedback notice: one per recipient unit, in unit order. */
export function planNoticeFeedback(notice: FeedbackNotice, units: FeedbackUnit[], confirmedAt: Date): PlannedObligation[] {
  const day = beijingDay(notice.feedbackDue);
  const seen = new Set<number>();
  return [...units]
    .sort((a, b) => a.id - b.id)
    .filter((u) => u.kind !== 'OD' && u.active !== false && !seen.has(u.id) && seen.add(u.id))
    .map((u): PlannedObligation => {
      const secretary = u.people.filter((p) => p.active && p.role === 'SECRETARY').sort((a, b) => a.id - b.id)[0];
      return {
        ruleCode: NOTICE_FEEDBACK_RULE,
        ownerKey: `u${u.id}`,
        unitId: u.id,
        personId: secretary?.id ?? null,
        periodKey: day.slice(0, 4),
        subjectKey: noticeSubjectKey(notice.id),
        title: `载体活动：${notice.title}`,
        periodStart: beijingStartOfDay(beijingDay(confirmedAt)),
        dueAt: beijingEndOfDay(day),
        requiredCount: 1,
      };
    });
}
