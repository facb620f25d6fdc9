import { backupDatabase, restoreDatabase } from '../../db/backup.js';
import type { CliCommand } from './command.js';

export const backup: CliCommand = {
  words: ['backup'],
  usage: 'backup --out <文件.jsonl.gz>',
  summary: '备份数据库（内嵌或 DATABASE_URL 指定的），运行中也可备份；外部数据库也可用 pg_dump（见 docs/operations.md）',
  async run(args, runtime) {
    const out = args.options.out;
    if (!out || out === 'true') throw new Error('请用 --out 指定备份文件，例如 --out 备份-2026-12-01.jsonl.gz');
    const rt = await runtime();
    const t = performance.now();
    const r = await backupDatabase(rt.databaseUrl, out);
    console.log(`已备份 ${r.tables} 张表、${r.rows} 行到 ${out}（${Math.round(performance.now() - t)} ms）`);
  },
};

export const restore: CliCommand = {
  words: ['restore'],
  usage: 'restore --from <文件.jsonl.gz>',
  summary: '把备份恢复到一个空数据库（新的 DATA_DIR 或 DATABASE_URL），然后用它启动机器人',
  async run(args, runtime) {
    const from = args.options.from;
    if (!from || from === 'true') throw new Error('请用 --from 指定备份文件，例如 --from 备份-2026-12-01.jsonl.gz');
    const rt = await runtime();
    const t = performance.now();
    const r = await restoreDatabase(rt.databaseUrl, from);
    console.log(`已从 ${from} 恢复 ${r.tables} 张表、${r.rows} 行（${Math.round(performance.now() - t)} ms）`);
  },
};
