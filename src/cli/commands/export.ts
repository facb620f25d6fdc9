import { assessmentSummary, writeAssessmentWorkbook } from '../../export/assessment.js';
import { loadDomainConfig } from '../../ops/domain-config.js';
import type { CliCommand } from './command.js';

export const exportAssessment: CliCommand = {
  words: ['export', 'assessment'],
  usage: 'export assessment --year <年度> --out <文件.xlsx> [--now ISO]',
  summary: '导出年度考核材料（按单位、按责任人、按责任类型、报告明细、述职材料）为 Excel 文件',
  async run(args, runtime) {
    const year = Number(args.options.year);
    if (!Number.isInteger(year) || year < 2015 || year > 2100) throw new Error('请用 --year 指定年度，例如 --year 2026');
    const out = args.options.out;
    if (!out || out === 'true') throw new Error('请用 --out 指定输出文件，例如 --out 考核-2026.xlsx');
    const now = args.options.now ? new Date(args.options.now) : new Date();
    if (Number.isNaN(now.getTime())) throw new Error('--now 应为时间，例如 2026-11-26T09:00:00+08:00');
    const rt = await runtime();
    const t = performance.now();
    const counts = await writeAssessmentWorkbook(rt.db, out, { year, now, catalog: loadDomainConfig().catalog.current });
    console.log(`${assessmentSummary(counts, year)}，已写入 ${out}（${Math.round(performance.now() - t)} ms）`);
  },
};
