// A free-text report ("11月20日在马东村开展了检查指导，发现问题3个，已解决2个") turned into the
// evidence fields of its duty (the catalog's `evidence`). Pure. Nothing is lost: what is not
// understood stays in `unparsed`, and the caller keeps the original text as well.
//
// Rules, in the order they are applied:
//  1. Labelled segments for text fields: '议题：换届选举筹备；决定：成立工作专班'. A label is the
//     field's label or one of its cue words (see TEXT_CUES) followed by a colon; the value runs to
//     the next ；。！？ or line break, or to the next 'xxx：' label.
//  2. date: the dates of the text (see dates.ts) outside labelled segments, in order, one per date
//     field in catalog order. A day after today is kept and reported as a problem.
//  3. orgRef: the known org whose name, or name without its suffix (马东村党支部 → 马东村 → 马东),
//     appears in the text; the longest such match wins. Two orgs with the same best match: a problem.
//     The value is { id, name }.
//  4. number: phrasings by the label's meaning (NUMBER_RULES): 参会15人, 参加人数15, 15人参加,
//     出席15人, 实到18人; 发现问题3个, 问题3个; 已解决2个. Chinese numerals (十五, 两) count.
//     Other number fields: '<label>：15' or '<label>15'.
//  5. choice: an option after the label or 评为/结果/等次: '评议结果为较好' → '较好'.
//  6. text fields without a labelled segment: every clause (split at ，；。 etc.) that holds one of
//     the field's cue words, joined with '，'; a clause goes to the field with the longest cue.
//     If no text field got anything but some other field did, the first required text field gets
//     the whole text. A text where nothing was found yields no values at all.
//  7. attachment fields cannot come from text; they are never reported missing here.
// `problems` lists, in Chinese, each required field not found, plus dates after today and
// ambiguous orgs. `unparsed` is the text minus every consumed piece, separators tidied.
import type { EvidenceField } from '../duties/catalog.js';
import { beijingDay } from '../calendar/working-days.js';
import { formatChineseDay, parseAllDates } from './dates.js';
import { NUMERAL, parseNumeral, toHalfWidth } from './numerals.js';

export interface OrgName {
  id: number;
  name: string;
}

export interface ParseContext {
  now: Date;
  /** The grassroots orgs the reporter may mean (e.g. the orgs of the unit, or the person's liaison points) */
  orgNames: OrgName[];
}

export interface ParsedReport {
  /** Only the fields found: date 'YYYY-MM-DD', orgRef { id, name }, number, text and choice strings */
  values: Record<string, unknown>;
  unparsed: string;
  problems: string[];
}

interface Span {
  start: number;
  end: number;
}

// ---------------------------------------------------------------- vocabulary

/** Cue words of text fields, chosen by the field's label. The label itself is always a cue. */
const TEXT_CUES: { label: RegExp; cues: string[] }[] = [
  { label: /议题|专题/, cues: ['议题', '专题汇报', '专题', '研究了', '研究', '听取了', '听取', '学习了', '主题'] },
  { label: /决定|决议|工作安排/, cues: ['研究决定', '会议决定', '决定', '决议', '议定', '部署', '工作安排', '安排'] },
  { label: /发现/, cues: ['发现的问题', '发现问题', '发现', '存在的问题', '存在问题', '问题'] },
  { label: /解决/, cues: ['解决的问题', '解决问题', '帮助解决', '已解决', '解决'] },
  { label: /人员/, cues: ['参会人员', '参加人员', '出席人员', '与会人员', '参会', '参加', '出席', '与会'] },
  { label: /分析|经验/, cues: ['分析', '交流', '经验', '问题'] },
  { label: /节点|进展|完成情况/, cues: ['完成情况', '进展', '进度', '完成'] },
  { label: /开展情况|活动/, cues: ['开展情况', '活动内容', '内容', '开展了', '开展'] },
  { label: /整改/, cues: ['整改情况', '整改'] },
  { label: /整顿|措施/, cues: ['整顿措施', '措施', '整顿'] },
  { label: /规划|计划/, cues: ['规划', '计划', '文号'] },
  { label: /课题/, cues: ['重点课题', '课题'] },
  { label: /经费|预算/, cues: ['经费', '预算'] },
];

const N = `(${NUMERAL})`;
const FILLER = String.raw`(?:共计|共有|共|有|为|是|达|了|:|：|\s)*`;

/** Number phrasings, chosen by the field's label; the first pattern that matches wins. */
const NUMBER_RULES: { label: RegExp; patterns: string[] }[] = [
  {
    label: /参会|参加|出席|到会|与会|人数/,
    patterns: [
      String.raw`实到${FILLER}${N}\s*(?:人|名|位)`,
      String.raw`(?:参会|参加|出席|到会|与会)(?:人数|数)${FILLER}${N}`,
      String.raw`(?:参会|参加|出席|到会|与会|参与)(?:人员|党员|同志)?${FILLER}${N}\s*(?:人|名|位)`,
      String.raw`${N}\s*(?:人|名|位)(?:党员|同志|干部|群众)?(?:参会|参加|出席|到会|与会)`,
    ],
  },
  {
    label: /解决/,
    patterns: [
      String.raw`解决(?:了|的)?(?:问题|困难)?(?:数)?${FILLER}${N}\s*(?:个|项|条|处|件)`,
      String.raw`${N}\s*(?:个|项|条|处|件)(?:问题|困难)?(?:已经|已)?(?:得到|获得)?解决`,
    ],
  },
  {
    label: /发现|问题/,
    patterns: [
      String.raw`(?:发现|存在|查摆|查找)(?:了|出)?(?:的)?(?:问题|困难)?(?:数)?${FILLER}${N}\s*(?:个|项|条|处|件)`,
      String.raw`问题数${FILLER}${N}`,
      String.raw`(?<!解决了?|解决的)问题${FILLER}${N}\s*(?:个|项|条|处|件)`,
    ],
  },
];

const CHOICE_CUES = ['评议结果', '评定为', '评为', '结果', '等次', '评价'];

const ORG_SUFFIXES = ['党总支部', '党总支', '党支部', '总支部', '支部', '党工委', '党委', '党组', '委员会', '村委会', '居委会', '居委', '社区', '街道', '机关', '村', '镇'];

const SEPARATORS = '，,、；;。！!？?\n';
const CLAUSE_END = /[，,；;。！!？?\n]/;
const SENTENCE_END = /[；;。！!？?\n]/;
const NEXT_LABEL = /[，,、\s]\s*[^\s，,、。；;：:\d]{1,8}\s*[:：]/;

// ---------------------------------------------------------------- parseReport

export function parseReport(text: string, fields: EvidenceField[], ctx: ParseContext): ParsedReport {
  const src = toHalfWidth(text);
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  const consumed: Span[] = [];
  const today = beijingDay(ctx.now);

  // 1. Labelled segments of text fields.
  const textFields = fields.filter((f) => f.type === 'text');
  const labelled = new Map<string, string[]>();
  const labelledSpans: Span[] = [];
  for (const f of textFields) {
    const cues = cuesOf(f).map(escapeRegExp).join('|');
    for (const m of src.matchAll(new RegExp(`(?:${cues})\\s*[:：]`, 'g'))) {
      const start = labelStart(src, m.index);
      const valueStart = m.index + m[0].length;
      if (labelledSpans.some((s) => start < s.end && valueStart > s.start)) continue;
      const end = segmentEnd(src, valueStart);
      const value = trimSeparators(text.slice(valueStart, end));
      if (!value) continue;
      labelled.set(f.key, [...(labelled.get(f.key) ?? []), value]);
      labelledSpans.push({ start, end });
    }
  }
  consumed.push(...labelledSpans);

  // 2. Dates, outside labelled segments.
  const dates = parseAllDates(src, ctx.now).filter((d) => !overlaps({ start: d.index, end: d.index + d.match.length }, labelledSpans));
  for (const f of fields.filter((f) => f.type === 'date')) {
    const d = dates.shift();
    if (!d) continue;
    values[f.key] = d.day;
    consumed.push({ start: d.index, end: d.index + d.match.length });
    if (d.day > today) problems.push(`${f.label}（${formatChineseDay(d.day)}）在今天之后，请确认`);
  }

  // 3. Orgs.
  const usedOrgs = new Set<number>();
  for (const f of fields.filter((f) => f.type === 'orgRef')) {
    const found = findOrg(src, ctx.orgNames.filter((o) => !usedOrgs.has(o.id)));
    if (!found) continue;
    if (found.orgs.length > 1) {
      problems.push(`“${found.alias}”可能是${found.orgs.map((o) => o.name).join('、')}，请写出${f.label}的全称`);
      continue;
    }
    const org = found.orgs[0]!;
    values[f.key] = { id: org.id, name: org.name };
    usedOrgs.add(org.id);
    consumed.push(found.span);
  }

  // 4. Numbers.
  for (const f of fields.filter((f) => f.type === 'number')) {
    const patterns = NUMBER_RULES.find((r) => r.label.test(f.label))?.patterns ?? [
      String.raw`${escapeRegExp(f.label.replace(/数$/, ''))}(?:数)?${FILLER}${N}`,
    ];
    const found = firstNumber(src, patterns, consumed);
    if (!found) continue;
    values[f.key] = found.value;
    consumed.push(found.span);
  }

  // 5. Choices.
  for (const f of fields.filter((f) => f.type === 'choice' && f.options?.length)) {
    const options = [...f.options!].sort((a, b) => b.length - a.length).map(escapeRegExp).join('|');
    const cues = [f.label, ...CHOICE_CUES].map(escapeRegExp).join('|');
    const m = new RegExp(`(?:${cues})[^${SEPARATORS}]{0,4}?["“'‘「]?(${options})["”'’」]?`).exec(src);
    if (!m) continue;
    values[f.key] = m[1];
    consumed.push({ start: m.index, end: m.index + m[0].length });
  }

  // 6. Text fields: labelled values, else clauses with a cue word, else (fallback) the whole text.
  for (const [key, segments] of labelled) values[key] = segments.join('；');
  const open = textFields.filter((f) => !labelled.has(f.key));
  const byField = new Map<string, string[]>();
  for (const clause of clauses(src)) {
    if (overlaps(clause, labelledSpans)) continue;
    const piece = text.slice(clause.start, clause.end);
    let best: { field: EvidenceField; length: number } | null = null;
    for (const f of open) {
      const length = Math.max(0, ...cuesOf(f).filter((c) => piece.includes(c)).map((c) => c.length));
      if (length > (best?.length ?? 0)) best = { field: f, length };
    }
    if (!best) continue;
    byField.set(best.field.key, [...(byField.get(best.field.key) ?? []), piece.trim()]);
    consumed.push(clause);
  }
  for (const [key, pieces] of byField) values[key] = pieces.join('，');

  const foundAnyText = textFields.some((f) => values[f.key] !== undefined);
  const main = textFields.find((f) => f.required) ?? textFields[0];
  if (!foundAnyText && main && Object.keys(values).length > 0 && text.trim()) {
    values[main.key] = text.trim();
    consumed.push({ start: 0, end: src.length });
  }

  // 7. Problems: required fields not found.
  for (const f of fields) {
    if (!f.required || f.type === 'attachment' || values[f.key] !== undefined) continue;
    if (f.type === 'orgRef' && problems.some((p) => p.includes(`${f.label}的全称`))) continue;
    problems.push(missing(f, ctx.orgNames));
  }

  return { values, unparsed: remainder(text, consumed), problems };
}

// ---------------------------------------------------------------- summarize

/** Chinese lines for a confirmation card, one per found field in catalog order: '会议日期：2026年11月20日（星期五）'. */
export function summarize(values: Record<string, unknown>, fields: EvidenceField[]): string[] {
  const lines: string[] = [];
  for (const f of fields) {
    const v = values[f.key];
    if (v === undefined || v === null || v === '') continue;
    lines.push(`${f.label}：${formatValue(f, v)}`);
  }
  return lines;
}

function formatValue(f: EvidenceField, v: unknown): string {
  if (f.type === 'date' && typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v)) return formatChineseDay(v);
  if (f.type === 'orgRef' && typeof v === 'object' && v !== null && 'name' in v) return String(v.name);
  return String(v);
}

// ---------------------------------------------------------------- helpers

function cuesOf(f: EvidenceField): string[] {
  const cues = TEXT_CUES.find((c) => c.label.test(f.label))?.cues ?? [];
  return [f.label, ...cues].sort((a, b) => b.length - a.length);
}

function missing(f: EvidenceField, orgs: OrgName[]): string {
  switch (f.type) {
    case 'date':
      return `没有找到${f.label}（例如：11月20日、昨天）`;
    case 'orgRef':
      return `没有找到${f.label}（请写出党组织名称${orgs[0] ? `，例如：${orgs[0].name}` : ''}）`;
    case 'number':
      return `没有找到${f.label}（请写数字，例如：${f.label}15）`;
    case 'choice':
      return `没有找到${f.label}（可选：${(f.options ?? []).join('、')}）`;
    default:
      return `没有找到${f.label}（例如：${f.label}：……）`;
  }
}

/** A label may carry a short prefix ('会议议题：', '分析问题：'): start at the separator before it, if near. */
function labelStart(src: string, cueAt: number): number {
  for (let i = cueAt; i > cueAt - 6 && i >= 0; i--) {
    if (i === 0) return 0;
    if (/[\s，,、；;。！!？?:：]/.test(src[i - 1]!)) return i;
  }
  return cueAt;
}

/** End of a labelled value: the sentence end or the next 'label：', whichever comes first. */
function segmentEnd(src: string, from: number): number {
  const rest = src.slice(from);
  const ends = [SENTENCE_END.exec(rest)?.index, NEXT_LABEL.exec(rest)?.index].filter((i): i is number => i !== undefined);
  return from + (ends.length ? Math.min(...ends) : rest.length);
}

function clauses(src: string): Span[] {
  const spans: Span[] = [];
  let start = 0;
  for (let i = 0; i <= src.length; i++) {
    if (i === src.length || CLAUSE_END.test(src[i]!)) {
      if (src.slice(start, i).trim()) spans.push({ start, end: i });
      start = i + 1;
    }
  }
  return spans;
}

function firstNumber(src: string, patterns: string[], consumed: Span[]): { value: number; span: Span } | null {
  for (const p of patterns) {
    for (const m of src.matchAll(new RegExp(p, 'g'))) {
      const span = { start: m.index, end: m.index + m[0].length };
      const value = parseNumeral(m[1] ?? '');
      if (value !== null && !overlaps(span, consumed)) return { value, span };
    }
  }
  return null;
}

export interface OrgMatch {
  alias: string;
  orgs: OrgName[];
  span: Span;
}

/** The org whose name or short name (suffixes stripped, at least 2 characters) appears, longest first. */
/** The org the text names (longest alias wins; several orgs when the alias is shared), or null. */
export function findOrg(src: string, orgs: OrgName[]): OrgMatch | null {
  let best: OrgMatch | null = null;
  for (const org of orgs) {
    for (const alias of aliases(org.name)) {
      const at = src.indexOf(alias);
      if (at < 0) continue;
      if (!best || alias.length > best.alias.length || (alias.length === best.alias.length && at < best.span.start)) {
        best = { alias, orgs: [org], span: { start: at, end: at + alias.length } };
      } else if (alias === best.alias && !best.orgs.some((o) => o.id === org.id)) {
        best.orgs.push(org);
      }
      break; // aliases are longest first: the first one found is this org's best
    }
  }
  return best;
}

/**
 * Names an org may go by, longest first: '东岸镇东风村党支部' → 东岸镇东风村党支部, 东岸镇东风村, 东风村党支部,
 * 东岸镇东风, 东风村, 东风. Bare generic words (机关, 社区) are not names.
 */
function aliases(name: string): string[] {
  const full = name.trim();
  const out = new Set<string>();
  for (const base of [full, full.replace(/^.+?(?:镇|街道)/, '')]) {
    let current = base;
    out.add(current);
    for (;;) {
      const suffix = ORG_SUFFIXES.find((s) => current.endsWith(s) && current.length - s.length >= 2);
      if (!suffix) break;
      current = current.slice(0, -suffix.length);
      out.add(current);
    }
  }
  return [...out].filter((a) => a.length >= 2 && !ORG_SUFFIXES.includes(a) && a !== '党委').sort((a, b) => b.length - a.length);
}

function overlaps(span: Span, spans: Span[]): boolean {
  return spans.some((s) => span.start < s.end && s.start < span.end);
}

/** The original text without the consumed spans; runs of separators collapsed, ends trimmed. */
function remainder(text: string, consumed: Span[]): string {
  let kept = '';
  for (let i = 0; i < text.length; i++) {
    if (!consumed.some((s) => i >= s.start && i < s.end)) kept += text[i];
  }
  return trimSeparators(kept.replace(new RegExp(`([${SEPARATORS}])[\\s${SEPARATORS}]+`, 'g'), '$1'));
}

function trimSeparators(s: string): string {
  return s.replace(new RegExp(`^[\\s${SEPARATORS}]+|[\\s${SEPARATORS}]+$`, 'g'), '');
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
