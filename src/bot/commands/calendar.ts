import { calendarAlerts } from '../../calendar/alerts.js';
import { scheduleFormCard, yearCard } from '../../calendar/cards.js';
import { requireOdStaff } from '../../changes/pending.js';
import { can } from '../../access/policy.js';
import { yearView } from '../../domain/calendar/schedule.js';
import { beijingDay } from '../../domain/calendar/working-days.js';
import { AppError } from '../../errors.js';
import { requirePerson } from '../../people/lookup.js';
import type { Command } from './command.js';

/** /日历 [年份]: a year's days off and make-up days and their source; /日历 录入 <年份>: the OD's entry form. */
export const calendar: Command = {
  name: 'calendar',
  zh: '日历',
  summary: '查看某年的放假和调休安排及来源；区委组织部录入次年安排',
  usage: '/日历 [年份]　或　/日历 录入 <年份>（仅区委组织部）',
  async run(ctx, args) {
    const { deps, msg } = ctx;
    const now = deps.clock();
    const thisYear = Number(beijingDay(now).slice(0, 4));
    const entry = /^(?:录入|更正|enter|edit)\s*(\d{4})?$/i.exec(args);
    if (entry) {
      await requireOdStaff(deps, msg.senderOpenId);
      const year = entry[1] ? Number(entry[1]) : thisYear + 1;
      const v = yearView(deps.calendar, year);
      const current = v.known ? { year, holidays: v.holidays.map(({ name, from, to }) => ({ name, from, to })), workdays: v.workdays.map((w) => w.day) } : undefined;
      await ctx.replyCard(scheduleFormCard(year, current));
      return;
    }
    if (args && !/^\d{4}$/.test(args)) throw new AppError('bad_input', '用法：/日历 [年份]，例如 /日历 2027；区委组织部录入：/日历 录入 2027');
    const person = await requirePerson(deps, msg.senderOpenId);
    const year = args ? Number(args) : thisYear;
    if (year < 2000 || year > 2100) throw new AppError('bad_input', `年份 ${year} 超出范围，请写 2000 至 2100 之间的年份。`);
    const view = yearView(deps.calendar, year);
    const by = view.source?.kind === 'od' ? view.source.by : undefined;
    const names = new Map((by ? await deps.db.person.findMany({ where: { larkOpenId: by }, select: { larkOpenId: true, name: true } }) : []).map((p) => [p.larkOpenId!, p.name]));
    await ctx.replyCard(yearCard(view, { alerts: await calendarAlerts(deps, now), names, od: can(person.role, 'od.data') }));
  },
};
