import { importListFile, importProjectsFile, importRosterFile, ImportRejectedError } from '../../import/roster-import.js';
import { larkIdResolver } from '../../import/lark-resolve.js';
import type { CliCommand } from './command.js';

function requireFile(positional: string[], usage: string): string {
  const file = positional[0];
  if (!file) throw new Error(`缺少文件路径。用法：${usage}`);
  return file;
}

/** Every problem of a rejected file, one per line; the short error then ends the command. */
function printRejection(err: unknown): never {
  if (!(err instanceof ImportRejectedError)) throw err;
  for (const p of err.problems) console.error(`  ${p.sheet} 第 ${p.row} 行 ${p.column ?? ''}：${p.message}`);
  throw new Error(`发现 ${err.problems.length} 处问题，未写入任何数据。请按上面的提示修改后重新导入。`);
}

export const importRoster: CliCommand = {
  words: ['import', 'roster'],
  usage: 'import roster <花名册.xlsx | CSV 文件夹> [--now ISO]',
  summary: '导入花名册（单位、人员、基层党组织、联系点）；全部正确才写入，重复导入就地更新',
  async run(args, runtime) {
    const file = requireFile(args.positional, this.usage);
    const rt = await runtime();
    const lark = await rt.lark();
    const now = args.options.now ? new Date(args.options.now) : new Date();
    const summary = await importRosterFile(rt.db, file, {
      now,
      ...(lark ? { resolveIds: larkIdResolver(lark) } : {}),
      onProgress: (p) => process.stderr.write(`\r${p.step} ${p.done}/${p.total}   ${p.step === 'done' ? '\n' : ''}`),
    }).catch(printRejection);
    console.log('导入完成：');
    for (const [k, label] of [['units', '单位'], ['people', '人员'], ['orgs', '基层党组织'], ['liaisonPoints', '联系点']] as const) {
      const c = summary[k];
      console.log(`  ${label}：新增 ${c.created}，更新 ${c.updated}，停用 ${c.deactivated}`);
    }
    if (summary.resolvedByLark) console.log(`  通过手机号/邮箱在飞书中查到 ${summary.resolvedByLark} 人的账号`);
    console.log('下一步：npm run cli -- obligations generate --year <年度>');
  },
};

export const importList: CliCommand = {
  words: ['import', 'list'],
  usage: 'import list <责任清单.xlsx | .csv>',
  summary: '导入各单位年度基层党建工作责任清单，每一项生成一条责任',
  async run(args, runtime) {
    const file = requireFile(args.positional, this.usage);
    const rt = await runtime();
    const s = await importListFile(rt.db, file).catch(printRejection);
    console.log(`导入完成：${JSON.stringify(s)}`);
  },
};

export const importProjects: CliCommand = {
  words: ['import', 'projects'],
  usage: 'import projects <党建项目.xlsx | CSV 文件夹>',
  summary: '导入书记项目和班子成员党建项目及其节点',
  async run(args, runtime) {
    const file = requireFile(args.positional, this.usage);
    const rt = await runtime();
    const s = await importProjectsFile(rt.db, file).catch(printRejection);
    console.log(`导入完成：${JSON.stringify(s)}`);
  },
};
