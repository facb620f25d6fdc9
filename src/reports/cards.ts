import { button, buttons, card, colored, esc, hr, md, type Element } from '../cards/card.js';
import { beijingDay } from '../domain/calendar/working-days.js';
import { citation, type DutyRule, type EvidenceField } from '../domain/duties/catalog.js';
import { summarize } from '../domain/reports/parse-report.js';
import { formatChineseDay } from '../domain/reports/dates.js';
import type { Obligation, Report } from '../generated/prisma/client.js';
import { dayZh } from '../obligations/describe.js';

/** The report's date falls outside its duty's period; the duty of the period it falls in, if the person has one. */
export interface PeriodMismatch {
  day: string;
  /** The duty's own period: 2026年12月 */
  ownLabel: string;
  other?: { id: number; label: string; late: boolean };
}

/**
 * What the bot understood of a report, with 修改, 撤回 and 改记 (move to another duty). Says which
 * duty it was filed under and why, when the bot chose it; asks about a date outside the duty's period.
 */
export function confirmationCard(o: {
  obligation: Obligation;
  report: Report;
  rule: DutyRule;
  evidenceCount: number;
  problems: string[];
  unparsed: string;
  /** Attachments being fetched again or refused (src/reports/evidence.ts evidenceNotes). */
  notes?: string[];
  /** Why the bot filed it under this duty (it inferred it from the text) */
  filedBecause?: string[];
  mismatch?: PeriodMismatch;
}): Record<string, unknown> {
  const { obligation: ob, report, rule } = o;
  const values = (report.fields ?? {}) as Record<string, unknown>;
  const lines = summarize(values, rule.evidence);
  const status =
    ob.status === 'DONE'
      ? `✅ 已完成${ob.late ? '（逾期完成）' : ''}`
      : ob.status === 'SUBMITTED'
        ? `📝 已提交${ob.late ? '（逾期提交）' : ''}，待区委组织部验收销号`
        : `进度：${ob.doneCount}/${ob.requiredCount}，本期还需 ${Math.max(ob.requiredCount - ob.doneCount, 0)} 次`;
  const filed = o.filedBecause?.length ? `\n已记入这项责任（根据：${o.filedBecause.map(esc).join('，')}）。记错了可点“改记到其他责任”。` : '';
  const elements: Element[] = [
    md(`**${esc(ob.title)}**\n${status}${report.late ? '\n⚠️ 本报告在截止时间之后提交，已标记为逾期。' : ''}${filed}`),
    hr(),
    md(lines.length ? lines.map(esc).join('\n') : '没有识别出具体字段，已按原文保存。'),
  ];
  if (o.evidenceCount) elements.push(md(`📎 佐证材料 ${o.evidenceCount} 份已保存`));
  if (o.notes?.length) elements.push(md(colored('orange', o.notes.join('\n'))));
  if (o.problems.length) elements.push(md(`${colored('orange', `还可以补充：${o.problems.join('；')}`)}\n可点“修改”补充，或直接在本会话回复。`));
  elements.push(md(colored('grey', `原文：${report.text || '（无文字）'}`)));
  if (o.mismatch) {
    const m = o.mismatch;
    elements.push(
      hr(),
      md(`<font color='orange'>⚠️ 报告日期${esc(formatChineseDay(m.day))}不在这项责任的周期（${esc(m.ownLabel)}）内。</font>${m.other ? `\n要改记到${esc(m.other.label)}的同类责任${m.other.late ? '（已过截止时间，按逾期完成计）' : ''}吗？` : ''}`),
      buttons(
        ...(m.other ? [button(`改记到${m.other.label}`, { action: 'report.move', reportId: report.id, obligationId: m.other.id }, 'primary')] : []),
        button('保持不变', { action: 'report.keep', reportId: report.id }),
      ),
    );
  }
  elements.push(
    buttons(
      button('修改', { action: 'report.edit', reportId: report.id }),
      button('撤回', { action: 'report.withdraw', reportId: report.id }, 'danger'),
      button('改记到其他责任', { action: 'report.move', reportId: report.id }),
    ),
  );
  return card({ title: '已记录完成情况', subtitle: rule.name, template: 'green', elements });
}

export function withdrawnCard(ob: Obligation, report: Report): Record<string, unknown> {
  return card({
    title: '报告已撤回',
    template: 'grey',
    elements: [md(`**${esc(ob.title)}**\n这份报告已撤回，不再计入完成情况。当前进度：${ob.doneCount}/${ob.requiredCount}。\n${colored('grey', `原文：${report.text || '（无文字）'}`)}`)],
  });
}

/**
 * Which duty is this report for? The most likely first (a primary button); `action` is report.pick
 * (a new report, `source` its message) or report.move (an existing report).
 */
export function pickCard(
  obligations: Obligation[],
  text: string,
  value: (ob: Obligation) => Record<string, unknown>,
  title = '请选择这份报告对应的责任',
  pages?: { page: number; pages: number; total: number; value: (page: number) => Record<string, unknown> },
): Record<string, unknown> {
  const nav: Element[] = [];
  if (pages && pages.pages > 1) {
    nav.push(
      md(`第 ${pages.page}/${pages.pages} 页，共 ${pages.total} 项`),
      buttons(
        ...(pages.page > 1 ? [button('上一页', pages.value(pages.page - 1))] : []),
        ...(pages.page < pages.pages ? [button('下一页', pages.value(pages.page + 1))] : []),
      ),
    );
  }
  return card({
    title,
    template: 'blue',
    elements: [
      md(colored('grey', text.slice(0, 200))),
      ...obligations.map((ob, i) => buttons(button(ob.title.slice(0, 60), value(ob), i === 0 && (pages?.page ?? 1) === 1 ? 'primary' : 'default'))),
      ...nav,
    ],
  });
}

/** A card form with the fields this duty's evidence needs. */
export function reportFormCard(o: {
  rule: DutyRule;
  obligation: Obligation;
  orgOptions: { id: number; name: string }[];
  initial?: Record<string, unknown>;
  submit: Record<string, unknown>;
  title?: string;
}): Record<string, unknown> {
  const { rule, obligation: ob } = o;
  const inputs: Element[] = [];
  for (const f of rule.evidence) {
    const el = formField(f, o.orgOptions, o.initial?.[f.key]);
    if (el) inputs.push(md(`**${esc(f.label)}**${f.required ? ' <font color="red">*</font>' : ''}`), el);
  }
  inputs.push({
    tag: 'button',
    name: 'submit',
    text: { tag: 'plain_text', content: '提交' },
    type: 'primary',
    form_action_type: 'submit',
    behaviors: [{ type: 'callback', value: o.submit }],
  });
  const attachments = rule.evidence.filter((f) => f.type === 'attachment');
  return card({
    title: o.title ?? '填写完成情况',
    subtitle: rule.name,
    template: 'blue',
    elements: [
      md(`**${esc(ob.title)}**\n截止：${dayZh(beijingDay(ob.dueAt))}\n<font color='grey'>${esc(citation(rule))}</font>`),
      { tag: 'form', name: 'report_form', elements: inputs },
      ...(attachments.length ? [md(`${attachments.map((a) => a.label).join('、')}：提交后在本会话回复照片或文件即可附上。`)] : []),
    ],
  });
}

function formField(f: EvidenceField, orgs: { id: number; name: string }[], initial: unknown): Element | null {
  const placeholder = { tag: 'plain_text', content: `请填写${f.label}` };
  switch (f.type) {
    case 'date':
      return { tag: 'date_picker', name: f.key, required: f.required, placeholder: { tag: 'plain_text', content: '选择日期' }, ...(typeof initial === 'string' ? { initial_date: initial } : {}) };
    case 'number':
      return { tag: 'input', name: f.key, required: f.required, placeholder, ...(initial !== undefined ? { default_value: String(initial) } : {}) };
    case 'text':
      return { tag: 'input', name: f.key, required: f.required, input_type: 'multiline_text', rows: 2, placeholder, ...(typeof initial === 'string' ? { default_value: initial } : {}) };
    case 'orgRef':
      if (!orgs.length) return { tag: 'input', name: f.key, required: f.required, placeholder, ...(isOrg(initial) ? { default_value: initial.name } : {}) };
      return {
        tag: 'select_static',
        name: f.key,
        required: f.required,
        placeholder: { tag: 'plain_text', content: `选择${f.label}` },
        options: orgs.map((org) => ({ text: { tag: 'plain_text', content: org.name }, value: String(org.id) })),
        ...(isOrg(initial) ? { initial_option: String(initial.id) } : {}),
      };
    case 'choice':
      return {
        tag: 'select_static',
        name: f.key,
        required: f.required,
        placeholder: { tag: 'plain_text', content: `选择${f.label}` },
        options: (f.options ?? []).map((v) => ({ text: { tag: 'plain_text', content: v }, value: v })),
        ...(typeof initial === 'string' ? { initial_option: initial } : {}),
      };
    case 'attachment':
      return null;
  }
}

function isOrg(v: unknown): v is { id: number; name: string } {
  return typeof v === 'object' && v !== null && 'id' in v && 'name' in v;
}
