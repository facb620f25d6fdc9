import { card, esc, md } from '../../cards/card.js';
import type { Command } from './command.js';

export const help: Command = {
  name: 'help',
  zh: '帮助',
  summary: '查看全部命令和用法',
  usage: '/帮助',
  async run(ctx) {
    const lines = ctx.commands.map((c) => `**/${c.zh}**（/${c.name}）　${esc(c.summary)}\n用法：\`${c.usage}\``);
    await ctx.replyCard(
      card({
        title: '党建责任制助手 · 命令',
        template: 'blue',
        elements: [
          md(lines.join('\n\n')),
          md('在群聊中请先 @党建责任制助手 再输入命令；私聊可直接输入。回复提醒消息即可记录完成情况。'),
        ],
      }),
    );
  },
};
