import { can } from '../../access/policy.js';
import { beijingDay } from '../../domain/calendar/working-days.js';
import { defaultDeadline } from '../../domain/oversight/inspection.js';
import { AppError } from '../../errors.js';
import { inspectionFormCard, inspectionListCard } from '../../oversight/inspection-cards.js';
import { listInspections } from '../../oversight/inspections.js';
import { requirePerson } from '../../people/lookup.js';
import { forbidden, scopeOf } from '../../stats/view.js';
import type { Command } from './command.js';

const LIST_SIZE = 20;

/**
 * /督查: OD staff record an inspection (暗访督查, 随机调研) through a card form; everyone who may see a
 * unit sees its inspections and how each finding's rectification stands.
 */
export const inspect: Command = {
  name: 'inspect',
  zh: '督查',
  summary: '记录暗访督查、随机调研发现的问题并限期整改（区委组织部）；查看督查整改情况（书记、党建工作人员）',
  usage: '/督查 [单位名称]　记录督查；/督查 列表　查看整改情况；/督查 <督查编号>　查看一次督查',
  async run(ctx, args) {
    const { deps } = ctx;
    const person = await requirePerson(deps, ctx.msg.senderOpenId);
    const now = deps.clock();
    const scope = scopeOf(person);
    const arg = args.trim();
    const wantsList = /^(列表|情况|整改|list)$/i.test(arg) || (arg === '' && !can(person.role, 'inspection.record'));
    if (wantsList || /^\d+$/.test(arg)) {
      if (!scope) throw forbidden('unit.view');
      const unitId = scope.kind === 'unit' ? scope.unitId : undefined;
      if (/^\d+$/.test(arg)) {
        const one = await listInspections(deps, { id: Number(arg), ...(unitId !== undefined ? { unitId } : {}), take: 1 });
        if (!one.length) throw new AppError('not_found', `没有找到编号为 ${arg} 的督查记录（或您无权查看）。发送 /督查 列表 查看。`);
        await ctx.replyCard(inspectionListCard(one, now, `督查编号 ${arg}`));
        return;
      }
      const list = await listInspections(deps, { ...(unitId !== undefined ? { unitId } : {}), take: LIST_SIZE });
      await ctx.replyCard(inspectionListCard(list, now, scope.kind === 'unit' ? scope.unitName : `全区最近 ${LIST_SIZE} 次督查`));
      return;
    }
    if (!can(person.role, 'inspection.record')) throw forbidden('inspection.record');
    await ctx.replyCard(inspectionFormCard({ ...(arg ? { unit: arg } : {}), today: beijingDay(now), deadline: defaultDeadline(now, deps.calendar) }));
  },
};
