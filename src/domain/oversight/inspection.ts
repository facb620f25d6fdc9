// Inspections (暗访督查, 随机调研, 五(三)): what OD staff write in the inspection form, checked, and
// the rectification obligation each finding becomes. Pure: `now` and the calendar are parameters.
import type { InspectionMethod } from '../../generated/prisma/enums.js';
import { addWorkingDays, beijingDay, beijingEndOfDay, beijingStartOfDay, type WorkingCalendar } from '../calendar/working-days.js';
import type { PlannedObligation } from '../duties/plan.js';

export const METHOD_LABEL: Readonly<Record<InspectionMethod, string>> = {
  UNANNOUNCED: '暗访督查',
  RANDOM_VISIT: '随机调研',
  SPECIAL: '专项检查',
};

/** Working days a unit gets to rectify by default (the form starts with this deadline). */
export const DEFAULT_RECTIFY_WORKING_DAYS = 20;
export const MAX_FINDINGS = 30;
const MAX_FINDING_CHARS = 500;

export interface InspectionForm {
  /** What the user typed for the unit: a code or a name. */
  unit: string;
  method: InspectionMethod;
  /** 'YYYY-MM-DD' */
  inspectedOn: string;
  /** 'YYYY-MM-DD': rectify by the end of this Beijing day. */
  deadline: string;
  findings: string[];
}

export type FormCheck = { ok: true; form: InspectionForm } | { ok: false; problems: string[] };

/** The deadline the form proposes: DEFAULT_RECTIFY_WORKING_DAYS working days after today. */
export function defaultDeadline(now: Date, cal: WorkingCalendar): string {
  return addWorkingDays(beijingDay(now), DEFAULT_RECTIFY_WORKING_DAYS, cal);
}

/**
 * Findings typed one per line, numbered or not ("1. …", "2、…", "（3）…", "- …"): one entry per line,
 * numbering and blank lines dropped.
 */
export function splitFindings(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.replace(/^\s*(?:[-•·*]|[（(]\d{1,2}[）)]|\d{1,2}[）)．.、，,]|[一二三四五六七八九十]{1,3}[、．.])\s*/, '').trim())
    .filter((l) => l.length > 0);
}

/**
 * The submitted form (form_value by component name), checked. Every problem is listed, in Chinese,
 * so the user can fix them all at once. Dates come as '2026-11-20 +0800' from the date picker.
 */
export function checkInspectionForm(raw: Record<string, unknown>, now: Date): FormCheck {
  const text = (k: string): string => {
    const v = raw[k];
    return typeof v === 'string' ? v.trim() : Array.isArray(v) ? String(v[0] ?? '').trim() : '';
  };
  const day = (k: string): string | undefined => /^(\d{4}-\d{2}-\d{2})/.exec(text(k))?.[1];
  const problems: string[] = [];
  const today = beijingDay(now);

  const unit = text('unit');
  if (!unit) problems.push('请填写被检查单位（单位名称或编号）');

  const methodRaw = text('method');
  const method = (Object.keys(METHOD_LABEL) as InspectionMethod[]).find((m) => m === methodRaw || METHOD_LABEL[m] === methodRaw);
  if (!method) problems.push(`检查方式应为${Object.values(METHOD_LABEL).join('、')}之一`);

  const inspectedOn = day('inspectedOn');
  if (!text('inspectedOn')) problems.push('请选择检查日期');
  else if (!inspectedOn) problems.push('检查日期应为日期，例如 2026-11-20');
  else if (inspectedOn > today) problems.push(`检查日期 ${inspectedOn} 还没到，请填写已经检查的日期`);

  const deadline = day('deadline');
  if (!text('deadline')) problems.push('请选择整改期限');
  else if (!deadline) problems.push('整改期限应为日期，例如 2026-12-31');
  else if (deadline <= today) problems.push(`整改期限 ${deadline} 应晚于今天（${today}）`);

  const findings = splitFindings(text('findings'));
  if (!findings.length) problems.push('请填写发现的问题，每行一条');
  if (findings.length > MAX_FINDINGS) problems.push(`发现的问题最多 ${MAX_FINDINGS} 条，本次填写了 ${findings.length} 条，请合并或分次记录`);
  findings.forEach((f, i) => {
    if ([...f].length > MAX_FINDING_CHARS) problems.push(`第 ${i + 1} 条问题超过 ${MAX_FINDING_CHARS} 字，请精简`);
  });

  if (problems.length || !method || !inspectedOn || !deadline) return { ok: false, problems };
  return { ok: true, form: { unit, method, inspectedOn, deadline, findings } };
}

export interface FindingSubject {
  findingId: number;
  seq: number;
  text: string;
  unitId: number;
  /** The unit's secretary, who answers for it (null if the unit has none). */
  accountablePersonId: number | null;
  method: InspectionMethod;
  inspectedOn: string;
  deadline: string;
}

/** The rectification obligation of one finding (duty 9, 五(三)): owed by the unit, due at the deadline. */
export function planFindingObligation(f: FindingSubject): PlannedObligation {
  const [, m, d] = f.inspectedOn.split('-').map(Number);
  return {
    ruleCode: 'INSPECTION_RECTIFICATION',
    ownerKey: `u${f.unitId}`,
    unitId: f.unitId,
    personId: f.accountablePersonId,
    periodKey: f.inspectedOn.slice(0, 4),
    subjectKey: `finding:${f.findingId}`,
    title: `${m}月${d}日${METHOD_LABEL[f.method]}问题${f.seq}整改：${shorten(f.text, 50)}`,
    periodStart: beijingStartOfDay(f.inspectedOn),
    dueAt: beijingEndOfDay(f.deadline),
    requiredCount: 1,
  };
}

function shorten(text: string, max: number): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return [...t].length > max ? `${[...t].slice(0, max - 1).join('')}…` : t;
}
