import { catalogCard } from '../../catalog/cards.js';
import { beijingDay } from '../../domain/calendar/working-days.js';
import { requirePerson } from '../../people/lookup.js';
import type { Command } from './command.js';

/** /职责: the duty catalog in force, with its version and who changed it last. */
export const catalogCommand: Command = {
  name: 'catalog',
  zh: '职责',
  summary: '查看党建责任目录：每项责任由谁承担、频次、提醒天数、报告内容和依据',
  usage: '/职责',
  async run(ctx) {
    const { deps } = ctx;
    await requirePerson(deps, ctx.msg.senderOpenId);
    const v = await deps.db.catalogVersion.findFirst({ orderBy: { version: 'desc' } });
    const by = v ? await deps.db.person.findFirst({ where: { larkOpenId: v.changedBy }, select: { name: true } }) : null;
    const label = v ? `第 ${v.version} 版，${by?.name ?? v.changedBy} 于 ${beijingDay(v.createdAt)} 修改` : '初始版本（config/duty-catalog.json）';
    await ctx.replyCard(catalogCard(deps.catalog.current, label));
  },
};
