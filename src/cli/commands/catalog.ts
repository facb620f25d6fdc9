import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { loadCatalog } from '../../domain/duties/catalog.js';
import { CATALOG_FILE, policyText } from '../../ops/domain-config.js';
import type { CliCommand } from './command.js';

export const catalogCheck: CliCommand = {
  words: ['catalog', 'check'],
  usage: 'catalog check [责任目录.json]',
  summary: '检查责任目录文件是否正确（默认 config/duty-catalog.json），错误会指出行号和字段',
  needsDb: false,
  async run(args) {
    const file = args.positional[0] ?? CATALOG_FILE;
    const catalog = loadCatalog(readFileSync(file, 'utf8'), { source: basename(file), policyText: policyText() });
    console.log(`${basename(file)} 正确：${catalog.rules.length} 项责任`);
    for (const r of catalog.rules) {
      const rec = r.recurrence.kind === 'set' ? '逐项设定截止时间' : `每${{ month: '月', quarter: '季度', half: '半年', year: '年' }[r.recurrence.kind]}至少 ${r.recurrence.count} 次`;
      console.log(`  ${String(r.no).padStart(2)}. ${r.code.padEnd(26)} ${r.name}（${rec}；依据 ${r.clause.ref}）`);
    }
  },
};
