import { card, esc, md } from '../../cards/card.js';
import { ORG_KIND_ZH, ROLE_ZH, UNIT_KIND_ZH } from '../../domain/roles.js';
import { requirePerson } from '../../people/lookup.js';
import type { Command } from './command.js';

export const whoami: Command = {
  name: 'whoami',
  zh: '我的信息',
  aliases: ['我是谁'],
  summary: '查看花名册中您的单位、角色和基层联系点',
  usage: '/我的信息',
  async run(ctx) {
    const person = await requirePerson(ctx.deps, ctx.msg.senderOpenId);
    const points = await ctx.deps.db.liaisonPoint.findMany({
      where: { personId: person.id, active: true },
      include: { org: true },
      orderBy: { id: 'asc' },
    });
    const lines = [
      `**姓名**：${esc(person.name)}${person.title ? `（${esc(person.title)}）` : ''}`,
      `**单位**：${esc(person.unit.name)}（${UNIT_KIND_ZH[person.unit.kind]}）`,
      `**角色**：${ROLE_ZH[person.role]}`,
      points.length
        ? `**基层联系点**：${points.map((p) => `${esc(p.org.name)}（${ORG_KIND_ZH[p.org.kind]}${p.org.weakLax ? '，软弱涣散' : ''}）`).join('、')}`
        : person.role === 'OD_STAFF' || person.role === 'DISTRICT_LEADER' || person.role === 'STAFF'
          ? ''
          : '**基层联系点**：尚未登记。按照《意见》四(四)2，班子成员应建立基层党建工作联系点，请联系本单位党建工作人员登记。',
    ].filter(Boolean);
    await ctx.replyCard(card({ title: '我的信息', template: 'blue', elements: [md(lines.join('\n'))] }));
  },
};
