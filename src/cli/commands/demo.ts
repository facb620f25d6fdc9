import { loadDomainConfig } from '../../ops/domain-config.js';
import { seedDemo } from '../../ops/demo.js';
import type { CliCommand } from './command.js';

/** `demo [--now ISO]` (npm run demo): the example district with a realistic year so far. */
export const demo: CliCommand = {
  words: ['demo'],
  usage: 'demo [--now ISO]',
  summary: '导入示例区（templates/import）并生成今年到目前为止的真实情况：按时和逾期的报告、逾期事项、督办、督查问题、通知回执（可重复运行）',
  async run(args, runtime) {
    const now = args.options.now ? new Date(args.options.now) : new Date();
    if (Number.isNaN(now.getTime())) throw new Error('--now 应为时间，例如 2026-11-26T09:00:00+08:00');
    const rt = await runtime();
    const { catalog } = loadDomainConfig();
    const r = await seedDemo({ db: rt.db, clock: () => now, catalog: catalog.current }, now);
    console.log(`示例区已就绪：${r.people} 人，${r.obligations} 项责任。`);
    console.log(`已到期的责任：按时完成 ${r.onTime} 项，逾期完成 ${r.late} 项，逾期未完成 ${r.overdue} 项；督查编号 ${r.inspectionId}，通知编号 ${r.noticeId}。`);
    console.log('在沙箱页面选择“梁振华”（镇党委书记）发送 /责任清单，或选择“陈志明”（区委组织部）发送 /统计。');
  },
};
