import { can, canViewUnit } from '../../access/policy.js';
import { parseStatsPeriod } from '../../domain/stats/period-arg.js';
import { matchUnit } from '../../domain/stats/unit-match.js';
import { AppError } from '../../errors.js';
import { requirePerson } from '../../people/lookup.js';
import { activeUnits } from '../../stats/queries.js';
import { statsCard } from '../../stats/report.js';
import { forbidden } from '../../stats/view.js';
import type { Command } from './command.js';

const PERIOD_WORD = /^(本月|这个月|本季度|本季|这个季度|本年|今年|全年|本年度|\d{4}(-(\d{2}|[QqHh]\d))?)$/;

export const unit: Command = {
  name: 'unit',
  zh: '单位',
  summary: '某单位各类责任的完成率、按时率和逾期事项（本单位书记、党建工作人员；区委组织部、区领导可查看所有单位）',
  usage: '/单位 <名称> [本月|本季度|本年|2026-Q3|2026-11|2026]',
  async run(ctx, args) {
    const { deps } = ctx;
    const person = await requirePerson(deps, ctx.msg.senderOpenId);
    if (!can(person.role, 'unit.view') && !can(person.role, 'district.view')) throw forbidden('unit.view');
    const now = deps.clock();
    const words = args.trim().split(/\s+/).filter(Boolean);
    const periodWord = words.length > 1 && PERIOD_WORD.test(words[words.length - 1]!) ? words.pop()! : '';
    const period = parseStatsPeriod(periodWord, now);
    const query = words.join(' ');
    const units = await activeUnits(deps.db);
    let target: { id: number; name: string };
    if (!query) {
      const own = units.find((u) => u.id === person.unitId);
      if (!own || !canViewUnit(person, own.id)) throw new AppError('bad_input', '请写明单位名称，如：/单位 东岸镇');
      target = own;
    } else {
      const m = matchUnit(query, units);
      if (m.kind === 'ambiguous') {
        throw new AppError('bad_input', `“${query}”对应多个单位，请写得更完整：${m.candidates.map((u) => u.name).join('、')}`);
      }
      if (m.kind === 'none') {
        throw new AppError('not_found', `没有找到名称含“${query}”的单位。${m.candidates.length ? `您是否要找：${m.candidates.map((u) => u.name).join('、')}` : '发送 /统计 查看全部单位。'}`);
      }
      target = m.unit;
    }
    if (!canViewUnit(person, target.id)) throw forbidden('unit.view');
    await ctx.replyCard(await statsCard(deps, { kind: 'unit', unitId: target.id, unitName: target.name }, period, now));
  },
};
