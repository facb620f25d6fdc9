import { parseStatsPeriod } from '../../domain/stats/period-arg.js';
import { requirePerson } from '../../people/lookup.js';
import { statsCard } from '../../stats/report.js';
import { forbidden, scopeOf } from '../../stats/view.js';
import type { Command } from './command.js';

export const stats: Command = {
  name: 'stats',
  zh: '统计',
  summary: '完成率、按时率和逾期情况（区委组织部、区领导看全区；书记和党建工作人员看本单位），附图表',
  usage: '/统计 [全区] [本月|本季度|本年|2026-Q3|2026-11|2026]',
  async run(ctx, args) {
    const { deps } = ctx;
    const person = await requirePerson(deps, ctx.msg.senderOpenId);
    const now = deps.clock();
    const words = args.trim().split(/\s+/).filter(Boolean);
    const wantsDistrict = words.some((w) => w === '全区');
    const scope = scopeOf(person);
    if (wantsDistrict && scope?.kind !== 'district') throw forbidden('district.view');
    if (!scope) throw forbidden('unit.view');
    const period = parseStatsPeriod(words.filter((w) => w !== '全区').join(''), now);
    // The whole district's figures go to the asker only; a unit's may be shown in its group.
    await (scope.kind === 'district' ? ctx.privately : ctx).replyCard(await statsCard(deps, scope, period, now));
  },
};
