// Calendar cards: a year's days off and make-up days with their source, the OD's entry form, and
// the preview of an entry with 确认 / 取消.
import { button, buttons, card, esc, hr, md, type Element } from '../cards/card.js';
import { scheduleToForm, type YearView } from '../domain/calendar/schedule.js';
import { beijingDay, dayOfWeek, type CalendarSource, type YearSchedule } from '../domain/calendar/working-days.js';
import type { SchedulePreview } from './changes.js';

const WEEKDAY = ['周日', '周一', '周二', '周三', '周四', '周五', '周六'];
export const dayLabel = (d: string) => `${d}（${WEEKDAY[dayOfWeek(d)]}）`;

/** Where a year's schedule came from, in words; `names` maps open_ids to people's names. */
export function sourceLabel(source: CalendarSource | undefined, names: ReadonlyMap<string, string> = new Map()): string {
  if (!source) return '未录入';
  if (source.kind === 'package') return '国务院办公厅公布的安排（随程序提供的 chinese-days 数据）';
  if (source.kind === 'file') return '配置文件 config/calendar-overrides.json';
  return `区委组织部 ${names.get(source.by) ?? source.by} 于 ${beijingDay(source.at)} 录入（第 ${source.version} 版）`;
}

export function yearCard(v: YearView, o: { alerts: readonly string[]; names: ReadonlyMap<string, string>; od: boolean }): Record<string, unknown> {
  const elements: Element[] = [];
  if (o.alerts.length) elements.push(md(o.alerts.map((a) => `**${esc(a)}**`).join('\n')), hr());
  if (!v.known) {
    elements.push(md(`${v.year} 年的法定节假日安排**尚未录入**：这一年目前只按周六、周日休息计算，节假日当天也会发出提醒。`));
  } else {
    elements.push(md(`**来源**：${esc(sourceLabel(v.source, o.names))}`));
    elements.push(
      md(
        `**放假**（${v.holidays.length} 段）\n` +
          (v.holidays.map((h) => `${esc(h.name || '假期')}：${dayLabel(h.from)}${h.to !== h.from ? ` 至 ${dayLabel(h.to)}` : ''}，共 ${h.days} 天`).join('\n') || '无'),
      ),
    );
    elements.push(md(`**调休上班**（${v.workdays.length} 天）\n` + (v.workdays.map((w) => `${dayLabel(w.day)}${w.name ? `（${esc(w.name)}）` : ''}`).join('\n') || '无')));
  }
  if (o.od) elements.push(hr(), md(`录入或更正：发送"/日历 录入 ${v.year}"填写表单，或直接发送节假日配置文件（calendar-overrides.json）。`));
  return card({ title: `${v.year} 年工作日历`, template: v.known ? 'blue' : 'orange', elements });
}

const input = (name: string, placeholder: string, value: string, rows: number): Element => ({
  tag: 'input',
  name,
  input_type: 'multiline_text',
  rows,
  ...(value ? { default_value: value } : {}),
  placeholder: { tag: 'plain_text', content: placeholder },
});

/** The entry form; prefilled with the year's schedule when one is known (for corrections). */
export function scheduleFormCard(year: number, current?: YearSchedule): Record<string, unknown> {
  const prefill = current ? scheduleToForm(current) : { holidays: '', workdays: '' };
  return card({
    title: `录入 ${year} 年节假日安排`,
    template: 'red',
    elements: [
      md('请按国务院办公厅公布的通知填写，不要估计。提交后先预览，确认后才生效。'),
      {
        tag: 'form',
        name: 'calendar_form',
        elements: [
          md('**放假安排**（每行一段：名称 开始日期 至 结束日期，含假期中的周末）'),
          input('holidays', `元旦 ${year}-01-01 至 ${year}-01-03\n春节 ${year}-02-06 至 ${year}-02-13`, prefill.holidays, 8),
          md('**调休上班日**（周六或周日，多个用空格或逗号分隔）'),
          input('workdays', `${year}-02-07 ${year}-02-20`, prefill.workdays, 3),
          {
            tag: 'button',
            name: 'submit',
            text: { tag: 'plain_text', content: '预览' },
            type: 'primary',
            form_action_type: 'submit',
            behaviors: [{ type: 'callback', value: { action: 'calendar.submit', year } }],
          },
        ],
      },
    ],
  });
}

export function schedulePreviewCard(p: SchedulePreview, replacing: string | null): Record<string, unknown> {
  const s = p.schedule;
  const dayLines = p.days.slice(0, 40).map((d) => `${dayLabel(d.day)}：${d.before ? '工作日' : '休息日'} → **${d.after ? '工作日' : '休息日'}**`);
  if (p.days.length > 40) dayLines.push(`……另有 ${p.days.length - 40} 天`);
  const moveLines = p.moves.map((m) => `${esc(m.title)}（${m.stage}）：${m.from} → ${m.to ?? '不再单独发送'}`);
  if (p.moved > p.moves.length) moveLines.push(`……共 ${p.moved} 条`);
  return card({
    title: `${s.year} 年节假日安排预览`,
    subtitle: `变更编号 ${p.changeId}`,
    template: 'orange',
    elements: [
      ...(replacing ? [md(`将**替换**现有的 ${s.year} 年安排（${esc(replacing)}）。`)] : []),
      md(`**放假**\n${s.holidays.map((h) => `${esc(h.name || '假期')}：${dayLabel(h.from)}${h.to !== h.from ? ` 至 ${dayLabel(h.to)}` : ''}`).join('\n')}`),
      md(`**调休上班**\n${s.workdays.map(dayLabel).join('\n') || '无'}`),
      hr(),
      md(`**工作日变化**：${p.days.length} 天\n${dayLines.join('\n') || '没有变化'}`),
      md(`**已排定的提醒改期**：${p.moved} 条\n${moveLines.join('\n') || '没有提醒需要改期'}`),
      buttons(
        button('确认生效', { action: 'calendar.confirm', changeId: p.changeId, hash: p.hash }, 'primary'),
        button('取消', { action: 'change.cancel', changeId: p.changeId, hash: p.hash }),
      ),
    ],
  });
}
