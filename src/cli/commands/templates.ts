import { TEMPLATE_DIR, writeTemplates } from '../../import/make-templates.js';
import type { CliCommand } from './command.js';

export const importTemplates: CliCommand = {
  words: ['templates'],
  usage: 'templates [输出目录]',
  summary: '生成花名册、责任清单、党建项目的导入模板（含示例行）',
  needsDb: false,
  async run(args) {
    const files = await writeTemplates(args.positional[0] ?? TEMPLATE_DIR);
    for (const f of files) console.log(f);
  },
};
