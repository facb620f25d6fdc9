// Which duty a free-text reply is about, when the replied-to reminder carries several. Pure.
//
// Each candidate scores on what the text says:
//  - the kind of activity (ACTIVITY_CUES: 走访/检查指导 → liaison visits, 例会/会议/专题研究 → the meetings,
//    项目/节点 → project milestones, …); the longest cue of a rule counts, so 党委会议 beats 会议;
//  - a liaison point of the person named in the text → the visit duties (which are about those points);
//  - words of the duty's own title (a list item's or a project's name) found in the text;
//  - the report's date inside the duty's period (a small tie-breaker; outside costs a little).
// The best candidate is filed directly when it scores and leads the next one by a clear margin;
// otherwise the person is asked, the candidates ranked by score (then by due date).
import { beijingDay } from '../calendar/working-days.js';
import { toHalfWidth } from './numerals.js';

export interface DutyCandidate {
  id: number;
  ruleCode: string;
  title: string;
  periodStart: Date;
  dueAt: Date;
}

export interface InferInput<T extends DutyCandidate> {
  text: string;
  candidates: T[];
  /** The first date of the report, 'YYYY-MM-DD', if it has one */
  reportDay?: string;
  /** Name of one of the person's liaison points the text names, if any */
  liaisonPoint?: string;
}

export interface RankedDuty<T extends DutyCandidate = DutyCandidate> {
  candidate: T;
  score: number;
  /** Why, in Chinese: ['提到联系点东风村', '活动：检查指导'] */
  reasons: string[];
}

export interface Inference<T extends DutyCandidate = DutyCandidate> {
  ranked: RankedDuty<T>[];
  /** The duty to file under directly, when one clearly fits */
  chosen?: RankedDuty<T>;
}

/** Activity words by duty rule; weight is per match (the longest cue of a rule counts once). */
const ACTIVITY_CUES: Record<string, string[]> = {
  LIAISON_VISIT_SECRETARY: ['检查指导', '具体指导', '联系点', '走访', '调研', '蹲点', '指导', '下基层', '入户'],
  LIAISON_VISIT_LEADER: ['检查指导', '具体指导', '联系点', '走访', '调研', '蹲点', '指导', '下基层', '入户'],
  PC_MEETING_STUDY: ['专题研究', '听取专题汇报', '专题汇报', '党委会议', '党组会议', '党工委会议', '党委会', '党组会', '研究基层党建', '会议'],
  QUARTERLY_WORK_MEETING: ['基层党建工作会议', '党建工作会议', '工作例会', '例会', '季度会议', '会议'],
  PROJECT_MILESTONE: ['项目', '节点', '书记项目'],
  DEBRIEF: ['述职', '评议', '述职评议'],
  LIST_ITEM: ['责任清单', '清单'],
  THEMATIC_ACTIVITY: ['主题活动', '主题党日', '载体活动', '活动'],
  INSPECTION_RECTIFICATION: ['整改', '督查'],
  WEAK_ORG_RECTIFICATION: ['整顿', '软弱涣散'],
  YEARLY_PLAN: ['工作计划', '年度计划', '重点课题', '课题', '预算', '经费'],
};

/** Title words that say nothing about which duty it is. */
const GENERIC = /基层|党建|工作|党组织|党委|责任|清单|年度|季度|节点|项目|推进|第.项|第.个|联系点|检查|指导|会议|月|年|不少于|次/g;

const VISIT_RULES = new Set(['LIAISON_VISIT_SECRETARY', 'LIAISON_VISIT_LEADER']);
const CLEAR_MARGIN = 2;

export function inferDuty<T extends DutyCandidate>(input: InferInput<T>): Inference<T> {
  const text = toHalfWidth(input.text);
  const ranked = input.candidates.map((candidate) => score(candidate, text, input));
  ranked.sort((a, b) => b.score - a.score || a.candidate.dueAt.getTime() - b.candidate.dueAt.getTime() || a.candidate.id - b.candidate.id);
  const [first, second] = ranked;
  const clear = first !== undefined && first.score >= CLEAR_MARGIN && (second === undefined || first.score - second.score >= CLEAR_MARGIN);
  return clear ? { ranked, chosen: first } : { ranked };
}

function score<T extends DutyCandidate>(c: T, text: string, input: InferInput<T>): RankedDuty<T> {
  let s = 0;
  const reasons: string[] = [];
  const cue = (ACTIVITY_CUES[c.ruleCode] ?? []).filter((w) => text.includes(w)).sort((a, b) => b.length - a.length)[0];
  if (cue) {
    // 2 for a plain cue (会议, 走访), 3 or 4 for more specific ones (联系点, 专题研究, 基层党建工作会议)
    s += Math.min(cue.length, 4) < 3 ? 2 : Math.min(cue.length, 4);
    reasons.push(`活动：${cue}`);
  }
  if (input.liaisonPoint && VISIT_RULES.has(c.ruleCode)) {
    s += 3;
    reasons.push(`提到联系点${input.liaisonPoint}`);
  }
  const words = titleWords(c.title).filter((w) => text.includes(w));
  if (words.length) {
    s += Math.min(words.length, 3) * 2;
    reasons.push(`提到“${words[0]}”`);
  }
  if (input.reportDay) {
    const inside = input.reportDay >= beijingDay(c.periodStart) && input.reportDay <= beijingDay(c.dueAt);
    s += inside ? 1 : -1;
    if (inside && s > 1) reasons.push('日期在本期内');
  }
  return { candidate: c, score: s, reasons };
}

/** Distinctive pieces of a title (2–6 characters between generic words and punctuation): a list item's or project's name. */
function titleWords(title: string): string[] {
  const body = title.replace(/^\d{4}年(?:第.季度|[上下]半年|\d{1,2}月)?\s*/, '').replace(/（联系点：[^）]*）/, '');
  const pieces = body
    .replace(GENERIC, '|')
    .split(/[|\s“”"、，,：:（）()；;。]+/)
    .filter((p) => p.length >= 2);
  const out = new Set<string>();
  for (const p of pieces) {
    if (p.length <= 6) out.add(p);
    else for (let i = 0; i + 4 <= p.length; i += 2) out.add(p.slice(i, i + 4));
  }
  return [...out];
}
