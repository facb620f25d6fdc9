import { createReadStream } from 'node:fs';
import { requireOdStaff } from '../../changes/pending.js';
import { AppError } from '../../errors.js';
import { templatePath } from '../../templates/render.js';
import type { Command } from './command.js';

/** The three import templates (with example rows), as the CLI's `templates` writes them. */
export const IMPORT_TEMPLATES = [
  { file: 'import/roster-template.xlsx', name: '花名册导入模板.xlsx' },
  { file: 'import/list-template.xlsx', name: '责任清单导入模板.xlsx' },
  { file: 'import/projects-template.xlsx', name: '党建项目导入模板.xlsx' },
] as const;

/** /模板: the OD gets the three templates as files; filled in, they are sent back to the bot to import. */
export const templates: Command = {
  name: 'templates',
  zh: '模板',
  summary: '获取花名册、责任清单、党建项目的导入模板（仅区委组织部）；填好后直接发给机器人即可导入',
  usage: '/模板',
  async run(ctx) {
    await requireOdStaff(ctx.deps, ctx.msg.senderOpenId);
    await ctx.replyText('以下是三种导入模板（含示例行）。按模板填好后，把文件直接发给我：我会先检查并预览变化，您确认后才导入。详见《区委组织部操作指南》。');
    for (const t of IMPORT_TEMPLATES) {
      const uploaded = await ctx.deps.lark.im.v1.file.create({ data: { file_type: 'xls', file_name: t.name, file: createReadStream(templatePath(t.file)) } });
      if (!uploaded?.file_key) throw new AppError('lark_server_error', '模板上传到飞书失败，请稍后再试。');
      await ctx.replyFile(uploaded.file_key);
    }
  },
};
