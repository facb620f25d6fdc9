// Notice cards: the OD's form, the preview with the recipient count, the notice itself, and the status.
import { button, buttons, card, esc, hr, md, type Element } from '../cards/card.js';
import { beijingDay } from '../domain/calendar/working-days.js';
import { ROLE_LABEL, SCOPE_LABEL, type RoleFilter, type UnitScope } from './audience.js';
import type { ReadRefresh } from './reads.js';
import { urgencyLine, type ChaseUrgency } from './urgent.js';

const opt = (label: string, value: string) => ({ text: { tag: 'plain_text', content: label }, value });

export function noticeFormCard(): Record<string, unknown> {
  const label = (s: string, required = false) => md(`**${s}**${required ? ' <font color="red">*</font>' : ''}`);
  return card({
    title: '发布通知',
    template: 'blue',
    elements: [
      {
        tag: 'form',
        name: 'notice_form',
        elements: [
          label('标题', true),
          { tag: 'input', name: 'title', required: true, placeholder: { tag: 'plain_text', content: '通知标题' } },
          label('正文', true),
          { tag: 'input', name: 'body', required: true, input_type: 'multiline_text', rows: 5, placeholder: { tag: 'plain_text', content: '通知正文' } },
          label('发送范围', true),
          {
            tag: 'select_static',
            name: 'scope',
            required: true,
            initial_option: 'ALL',
            options: (Object.keys(SCOPE_LABEL) as UnitScope[]).map((k) => opt(SCOPE_LABEL[k], k)),
          },
          label('指定单位（选"指定单位"时填写，多个用逗号分隔）'),
          { tag: 'input', name: 'units', placeholder: { tag: 'plain_text', content: '例如：东岸镇，区教育局' } },
          label('人员'),
          {
            tag: 'select_static',
            name: 'role',
            initial_option: 'ANY',
            options: (Object.keys(ROLE_LABEL) as RoleFilter[]).map((k) => opt(ROLE_LABEL[k], k)),
          },
          label('反馈截止日期（需要各单位反馈开展情况时选择）'),
          { tag: 'date_picker', name: 'feedbackDue', placeholder: { tag: 'plain_text', content: '选择日期' } },
          label('需要回执'),
          { tag: 'select_static', name: 'ack', initial_option: 'yes', options: [opt('是', 'yes'), opt('否', 'no')] },
          {
            tag: 'button',
            name: 'submit',
            text: { tag: 'plain_text', content: '预览' },
            type: 'primary',
            form_action_type: 'submit',
            behaviors: [{ type: 'callback', value: { action: 'notice.submit' } }],
          },
        ],
      },
    ],
  });
}

/** How a recipient reports on a feedback notice. */
export function feedbackLine(due: Date): string {
  return `**请于 ${beijingDay(due)} 前反馈开展情况**：直接回复本通知，或回复提醒消息、发送 /汇报 加开展情况。`;
}

export function noticePreviewCard(n: {
  id: number;
  title: string;
  body: string;
  audience: string;
  ackRequired: boolean;
  recipients: number;
  feedbackDue?: Date | null;
}): Record<string, unknown> {
  return card({
    title: '通知预览',
    subtitle: `通知编号 ${n.id}`,
    template: 'orange',
    elements: [
      md(`**${esc(n.title)}**\n${esc(n.body)}`),
      hr(),
      md(
        `发送范围：${esc(n.audience)}\n需要回执：${n.ackRequired ? '是' : '否'}\n` +
          (n.feedbackDue ? `反馈截止：${beijingDay(n.feedbackDue)}（每个收件单位一项载体活动任务）\n` : '') +
          `收件人：**${n.recipients} 人**`,
      ),
      ...(n.recipients ? [buttons(button('确认发送', { action: 'notice.confirm', noticeId: n.id }, 'primary'))] : [md('没有符合条件的收件人，请重新发送 /通知 调整范围。')]),
    ],
  });
}

/** The notice as a recipient sees it; once acknowledged (`acked`), the button gives way to a line saying so. */
export function noticeCard(n: { id: number; title: string; body: string; ackRequired: boolean; from: string; feedbackDue?: Date | null; acked?: boolean }): Record<string, unknown> {
  return card({
    title: n.title,
    subtitle: `区委组织部通知 · ${n.from}`,
    template: n.acked ? 'green' : 'blue',
    elements: [
      md(esc(n.body)),
      ...(n.feedbackDue ? [md(feedbackLine(n.feedbackDue))] : []),
      ...(n.acked
        ? [md('✅ 您已回执')]
        : [...(n.ackRequired ? [md("<font color='grey'>请阅读后点击下方按钮回执。</font>")] : []), buttons(button('已阅/收到', { action: 'notice.ack', noticeId: n.id }, 'primary'))]),
    ],
  });
}

export function noticeChaseCard(n: { id: number; title: string }): Record<string, unknown> {
  return card({
    title: '通知回执提醒',
    template: 'orange',
    elements: [
      md(`您还没有确认收到通知 **${esc(n.title)}**，请查阅后点击下方按钮回执。`),
      buttons(button('已阅/收到', { action: 'notice.ack', noticeId: n.id }, 'primary')),
    ],
  });
}

export interface UnitNoticeCounts {
  unit: string;
  total: number;
  delivered: number;
  read: number;
  acknowledged: number;
  failed: number;
}

/** Units listed on the status card; the rest are summed in one line. */
const MAX_UNITS = 30;
const MAX_REPLIES = 10;

export interface NoticeStatusView {
  id: number;
  title: string;
  sent: boolean;
  total: number;
  delivered: number;
  read: number;
  acknowledged: number;
  /** Who could not be reached, and why in Chinese (已离职, 已屏蔽机器人, 不在应用可用范围…) */
  failed: { name: string; unit: string; reason: string }[];
  /** Per unit: 送达 / 已读 / 已回执 of its recipients */
  units: UnitNoticeCounts[];
  /** Replies to the notice card (已知悉 with words), newest first */
  replies: { unit: string; name: string; text: string }[];
  pending: number;
  /** Unit name → names of people who have not acknowledged (delivered only). */
  notAcked: [string, string[]][];
  /** Unread cards still being checked with Lark in the background, or too old to check. */
  reads: ReadRefresh;
  /** Whether 催办 buzzes now. */
  urgency: ChaseUrgency;
  /** Recipients buzzed so far. */
  buzzed: number;
}

export function noticeStatusCard(s: NoticeStatusView): Record<string, unknown> {
  const els: Element[] = [
    md(
      `**${esc(s.title)}**\n收件人 ${s.total} 人：已送达 ${s.delivered}，已读 ${s.read}，已回执 ${s.acknowledged}，失败 ${s.failed.length}` +
        `${s.pending ? `，发送中 ${s.pending}` : ''}${s.buzzed ? `，已加急 ${s.buzzed}` : ''}`,
    ),
  ];
  if (s.reads.checking) els.push(md(`<font color='grey'>另有 ${s.reads.checking} 份通知尚未确认已读，已在后台向飞书核对（每10分钟最多一次），请稍后再发 /通知 状态 ${s.id} 查看。</font>`));
  if (s.reads.tooOld) els.push(md(`<font color='grey'>通知发出已超过7天，飞书不再提供已读查询；已读人数为此前记录的情况。</font>`));
  if (!s.sent) els.push(md('该通知尚未确认发送。'));
  if (s.sent && s.units.length) {
    // Units still owing acknowledgements first; each with its 送达 / 已读 / 已回执 of its recipients.
    const units = [...s.units].sort((a, b) => b.total - b.acknowledged - (a.total - a.acknowledged) || a.unit.localeCompare(b.unit, 'zh'));
    const line = (u: UnitNoticeCounts) => `${u.acknowledged === u.total ? '✅' : '⏳'} ${esc(u.unit)}：送达 ${u.delivered}/${u.total}，已读 ${u.read}，已回执 ${u.acknowledged}${u.failed ? `，失败 ${u.failed}` : ''}`;
    els.push(hr(), md(`**各单位情况**（送达 / 已读 / 已回执）\n${units.slice(0, MAX_UNITS).map(line).join('\n')}${units.length > MAX_UNITS ? `\n另有 ${units.length - MAX_UNITS} 个单位未列出（未回执的人更少）。` : ''}`));
  }
  if (s.replies.length) {
    const shown = s.replies.slice(0, MAX_REPLIES).map((r) => `${esc(r.unit)} ${esc(r.name)}：${esc(r.text.replace(/\s+/g, ' ').slice(0, 80))}`);
    els.push(hr(), md(`**回复**（${s.replies.length} 条，均记为已知悉${s.replies.length > MAX_REPLIES ? `；最近 ${MAX_REPLIES} 条` : ''}）\n${shown.join('\n')}`));
  }
  if (s.failed.length) {
    els.push(hr(), md(`**无法送达**（不会重试，请另行通知）\n${s.failed.map((f) => `${esc(f.unit)} ${esc(f.name)}：${esc(f.reason)}`).join('\n')}`));
  }
  if (s.notAcked.length) {
    els.push(hr(), md(`**未回执**\n${s.notAcked.map(([unit, names]) => `${esc(unit)}：${names.map(esc).join('、')}`).join('\n')}`));
    els.push(md(`<font color='grey'>${urgencyLine(s.urgency)}</font>`));
    els.push(buttons(button('催办', { action: 'notice.chase', noticeId: s.id }, 'danger')));
  } else if (s.sent && s.delivered) {
    els.push(md('已送达的收件人均已回执。'));
  }
  const allDone = s.sent && s.total > 0 && s.acknowledged === s.total;
  return card({ title: '通知回执情况', subtitle: `通知编号 ${s.id}`, template: allDone ? 'green' : s.failed.length ? 'orange' : 'blue', elements: els });
}
