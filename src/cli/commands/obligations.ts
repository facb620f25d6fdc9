import { generateObligations } from '../../obligations/generate.js';
import { loadDomainConfig } from '../../ops/domain-config.js';
import { progress } from '../runtime.js';
import type { CliCommand } from './command.js';

export const obligationsGenerate: CliCommand = {
  words: ['obligations', 'generate'],
  usage: 'obligations generate --year <年度> [--now ISO]',
  summary: '按责任目录和花名册生成该年度每人每期的责任（可重复运行，不会重复生成）',
  async run(args, runtime) {
    const year = Number(args.options.year);
    if (!Number.isInteger(year) || year < 2015 || year > 2100) throw new Error('请用 --year 指定年度，例如 --year 2026');
    const now = args.options.now ? new Date(args.options.now) : new Date();
    if (Number.isNaN(now.getTime())) throw new Error('--now 应为时间，例如 2026-11-26T09:00:00+08:00');
    const rt = await runtime();
    const { catalog } = loadDomainConfig();
    const t = performance.now();
    const r = await generateObligations(rt.db, { year, now, catalog: catalog.current, onProgress: progress('写入责任') });
    console.log(`${year} 年：计划 ${r.planned} 条，新增 ${r.created} 条，取消 ${r.cancelled} 条，恢复 ${r.reopened} 条（${Math.round(performance.now() - t)} ms）`);
  },
};
