// Cards of the inspection loop: the form OD staff fill in, the findings the unit receives, the review
// card with the unit's evidence, the decision the unit is told, and the inspection list.
import { button, buttons, card, esc, hr, md, type Element } from '../cards/card.js';
import { beijingDay } from '../domain/calendar/working-days.js';
import { citation, type DutyRule } from '../domain/duties/catalog.js';
import { METHOD_LABEL } from '../domain/oversight/inspection.js';
import { summarize } from '../domain/reports/parse-report.js';
import type { InspectionMethod, ObligationStatus, ReviewDecision } from '../generated/prisma/enums.js';
import type { Obligation, Report } from '../generated/prisma/client.js';
import { dayZh } from '../obligations/describe.js';

const opt = (text: string, value: string) => ({ text: { tag: 'plain_text', content: text }, value });
const label = (s: string, required = false) => md(`**${s}**${required ? ' <font color="red">*</font>' : ''}`);

/** The inspection form (OD staff). `unit` pre-fills the unit; `deadline` is the proposed rectification deadline. */
export function inspectionFormCard(o: { unit?: string; today: string; deadline: string }): Record<string, unknown> {
  return card({
    title: '记录督查情况',
    subtitle: '每条问题生成一项整改任务，由被检查单位限期整改，区委组织部验收销号',
    template: 'blue',
    elements: [
      {
        tag: 'form',
        name: 'inspection_form',
        elements: [
          label('被检查单位', true),
          { tag: 'input', name: 'unit', required: true, placeholder: { tag: 'plain_text', content: '单位名称或编号，如：东岸镇' }, ...(o.unit ? { default_value: o.unit } : {}) },
          label('检查方式', true),
          { tag: 'select_static', name: 'method', required: true, initial_option: 'UNANNOUNCED', options: (Object.keys(METHOD_LABEL) as InspectionMethod[]).map((k) => opt(METHOD_LABEL[k], k)) },
          label('检查日期', true),
          { tag: 'date_picker', name: 'inspectedOn', required: true, initial_date: o.today },
          label('发现的问题（每行一条）', true),
          { tag: 'input', name: 'findings', required: true, input_type: 'multiline_text', rows: 6, placeholder: { tag: 'plain_text', content: '1. 联系点走访记录不全\n2. 党建工作会议未按季度召开' } },
          label('整改期限', true),
          { tag: 'date_picker', name: 'deadline', required: true, initial_date: o.deadline },
          {
            tag: 'button',
            name: 'submit',
            text: { tag: 'plain_text', content: '保存并通知单位' },
            type: 'primary',
            form_action_type: 'submit',
            behaviors: [{ type: 'callback', value: { action: 'inspection.submit' } }],
          },
        ],
      },
    ],
  });
}

interface InspectionView {
  id: number;
  method: InspectionMethod;
  inspectedOn: Date;
  deadline: Date;
  unit: { name: string };
  findings: { seq: number; text: string; obligation: { id: number } | null }[];
}

/** What the unit's secretary and staff receive: the findings, the deadline, the basis, a report button per finding. */
export function findingNoticeCard(i: InspectionView, rule: DutyRule | undefined): Record<string, unknown> {
  const elements: Element[] = [
    md(
      `区委组织部于 ${dayZh(beijingDay(i.inspectedOn))} 对${esc(i.unit.name)}开展${METHOD_LABEL[i.method]}，发现以下问题，请于 **${dayZh(beijingDay(i.deadline))}** 前整改到位，并逐条报告整改情况（回复本消息或点“填写整改报告”），由区委组织部验收销号。`,
    ),
  ];
  for (const f of i.findings) {
    elements.push(hr(), md(`**问题 ${f.seq}**：${esc(f.text)}`));
    if (f.obligation) elements.push(buttons(button('填写整改报告', { action: 'report.open', obligationId: f.obligation.id }, 'primary')));
  }
  if (rule) elements.push(hr(), md(`<font color='grey'>${esc(citation(rule))}</font>`));
  return card({ title: `督查发现问题整改通知（${i.findings.length} 条）`, subtitle: `${i.unit.name}　督查编号 ${i.id}`, template: 'orange', elements });
}

/** For the OD: the submitted rectification with its evidence, and 通过 / 退回. */
export function reviewCard(o: {
  obligation: Obligation;
  finding: { seq: number; text: string; inspection: { id: number; unit: { name: string } } } | null;
  report: Report & { person: { name: string } };
  imageKeys: string[];
  files: string[];
  rule: DutyRule | undefined;
}): Record<string, unknown> {
  const { obligation: ob, report } = o;
  const values = (report.fields ?? {}) as Record<string, unknown>;
  const lines = o.rule ? summarize(values, o.rule.evidence) : [];
  const elements: Element[] = [
    md(
      [
        o.finding ? `**${esc(o.finding.inspection.unit.name)}　督查编号 ${o.finding.inspection.id} 问题 ${o.finding.seq}**\n${esc(o.finding.text)}` : `**${esc(ob.title)}**`,
        `整改期限：${dayZh(beijingDay(ob.dueAt))}${report.late ? '　<font color="red">逾期提交</font>' : ''}`,
      ].join('\n'),
    ),
    hr(),
    md(`**${esc(report.person.name)} 报告的整改情况**\n${lines.length ? lines.map(esc).join('\n') : esc(report.text || '（无文字）')}`),
  ];
  for (const key of o.imageKeys) elements.push({ tag: 'img', img_key: key, alt: { tag: 'plain_text', content: '整改佐证照片' } });
  if (o.files.length) elements.push(md(`📎 佐证文件：${o.files.map(esc).join('、')}`));
  if (!o.imageKeys.length && !o.files.length) elements.push(md(`<font color='grey'>未附照片或文件。</font>`));
  elements.push(
    hr(),
    {
      tag: 'form',
      name: 'review_form',
      elements: [
        { tag: 'input', name: 'note', placeholder: { tag: 'plain_text', content: '验收意见（退回时必填，说明还需整改什么）' }, input_type: 'multiline_text', rows: 2 },
        buttons(
          formButton('通过验收，销号', { action: 'review.decide', obligationId: ob.id, reportId: report.id, decision: 'ACCEPT' }, 'primary'),
          formButton('退回重改', { action: 'review.decide', obligationId: ob.id, reportId: report.id, decision: 'RETURN' }, 'danger'),
        ),
      ],
    },
  );
  return card({ title: '整改报告待验收', subtitle: ob.title, template: 'orange', elements });
}

function formButton(text: string, value: Record<string, unknown>, type: 'primary' | 'danger'): Element {
  return { tag: 'button', name: `${String(value.decision).toLowerCase()}`, text: { tag: 'plain_text', content: text }, type, form_action_type: 'submit', behaviors: [{ type: 'callback', value }] };
}

/** What the unit is told of the OD's decision. */
export function reviewOutcomeCard(o: { obligation: { id: number; title: string }; decision: ReviewDecision; note: string }): Record<string, unknown> {
  if (o.decision === 'ACCEPT') {
    return card({
      title: '整改已通过验收',
      template: 'green',
      elements: [md(`**${esc(o.obligation.title)}**\n✅ 区委组织部已验收通过，予以销号。${o.note ? `\n验收意见：${esc(o.note)}` : ''}`)],
    });
  }
  return card({
    title: '整改被退回，请继续整改',
    template: 'orange',
    elements: [
      md(`**${esc(o.obligation.title)}**\n区委组织部未予通过，退回原因：${esc(o.note)}\n请按要求整改后重新报告（回复本消息或点下面的按钮）。`),
      buttons(button('重新填写整改报告', { action: 'report.open', obligationId: o.obligation.id }, 'primary')),
    ],
  });
}

const STATE: Readonly<Record<ObligationStatus, string>> = { OPEN: '整改中', SUBMITTED: '待验收', DONE: '已销号', CANCELLED: '已取消' };

interface ListedInspection {
  id: number;
  method: InspectionMethod;
  inspectedOn: Date;
  deadline: Date;
  unit: { name: string };
  findings: { seq: number; text: string; obligation: { status: ObligationStatus; dueAt: Date; late: boolean } | null }[];
}

/** The inspections one may see, each with its findings' states; overdue findings marked. */
export function inspectionListCard(list: ListedInspection[], now: Date, scopeName: string): Record<string, unknown> {
  const count = (s: ObligationStatus) => list.reduce((n, i) => n + i.findings.filter((f) => f.obligation?.status === s).length, 0);
  const elements: Element[] = [md(`整改中 ${count('OPEN')} 条　待验收 ${count('SUBMITTED')} 条　已销号 ${count('DONE')} 条`)];
  if (!list.length) elements.push(md('还没有督查记录。区委组织部工作人员发送 /督查 记录督查情况。'));
  for (const i of list) {
    const lines = i.findings.map((f) => {
      const ob = f.obligation;
      const overdue = ob?.status === 'OPEN' && ob.dueAt < now;
      return `${overdue ? '🔴' : ob?.status === 'DONE' ? '✅' : ob?.status === 'SUBMITTED' ? '📝' : '⏳'} ${f.seq}. ${esc(f.text.slice(0, 60))}　${ob ? STATE[ob.status] : ''}${overdue ? '（已逾期）' : ''}${ob?.status === 'DONE' && ob.late ? '（逾期整改）' : ''}`;
    });
    elements.push(hr(), md([`**${esc(i.unit.name)}**　${METHOD_LABEL[i.method]} ${beijingDay(i.inspectedOn)}　编号 ${i.id}　整改期限 ${beijingDay(i.deadline)}`, ...lines].join('\n')));
  }
  return card({ title: '督查整改情况', subtitle: scopeName, template: 'orange', elements });
}
