import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { can, refusal } from '../../access/policy.js';
import { AppError } from '../../errors.js';
import { assessmentSummary, writeAssessmentWorkbook } from '../../export/assessment.js';
import { requirePerson } from '../../people/lookup.js';
import type { Command } from './command.js';

export const exportCommand: Command = {
  name: 'export',
  zh: '导出',
  summary: '导出年度考核材料 Excel（按单位、按责任人、按责任类型、报告明细、述职材料、督查整改、软弱涣散整顿），仅限区委组织部',
  usage: '/导出 [年度，例如 2026]',
  async run(ctx, args) {
    const { deps, msg } = ctx;
    const person = await requirePerson(deps, msg.senderOpenId);
    if (!can(person.role, 'export')) throw new AppError('forbidden', refusal('export'));
    const now = deps.clock();
    const arg = args.trim().replace(/年度?$/, '');
    const year = arg ? Number(arg) : Number(new Date(now.getTime() + 8 * 3600_000).toISOString().slice(0, 4));
    if (!Number.isInteger(year) || year < 2015 || year > 2100) {
      await ctx.replyText(`年度“${args.trim()}”看不懂，请写成例如：/导出 2026`);
      return;
    }
    const fileName = `${year}年度党建责任考核材料.xlsx`;
    // Written to a temp file and uploaded from there (streamed both ways), then removed.
    const dir = await mkdtemp(path.join(tmpdir(), 'dangjian-export-'));
    try {
      const file = path.join(dir, 'assessment.xlsx');
      const counts = await writeAssessmentWorkbook(deps.db, file, { year, now, catalog: deps.catalog.current });
      const uploaded = await deps.lark.im.v1.file.create({ data: { file_type: 'xls', file_name: fileName, file: createReadStream(file) } });
      if (!uploaded?.file_key) throw new AppError('lark_server_error', '考核材料上传到飞书失败，请稍后再试。');
      // Every name and report text of the district: never into a group, only to the asker.
      await ctx.privately.replyText(`${assessmentSummary(counts, year)}。文件见下。`);
      await ctx.privately.replyFile(uploaded.file_key);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};
