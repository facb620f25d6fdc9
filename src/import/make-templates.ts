// Writes the import templates with example rows into templates/import/:
//   roster-template.xlsx + roster-csv/{单位,人员,基层党组织,联系点}.csv
//   list-template.xlsx + list-template.csv
//   projects-template.xlsx + projects-csv/{项目,节点}.csv
// Run: npx tsx src/import/make-templates.ts [outDir]
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ExcelJS from 'exceljs';
import { LIST_COLUMNS } from '../domain/roster/list.js';
import { MILESTONE_COLUMNS, PROJECT_COLUMNS } from '../domain/roster/projects.js';
import { LIAISON_COLUMNS, ORG_COLUMNS, PERSON_COLUMNS, UNIT_COLUMNS } from '../domain/roster/roster.js';
import {
  allowedList,
  ORG_KIND_LABELS,
  PROJECT_KIND_LABELS,
  ROLE_LABELS,
  UNIT_KIND_LABELS,
  YES_NO_LABELS,
} from '../domain/roster/values.js';

type Table = string[][];

const headersOf = (cols: readonly { header: string }[]) => cols.map((c) => c.header);

// ---------------------------------------------------------------- the example district (all names are made up)

interface DemoUnit {
  code: string;
  name: string;
  kind: string;
  /** secretary, deputy, member, member, staff: [name, title] */
  people: [string, string][];
  /** [name, kind, weak] */
  orgs: [string, string, boolean][];
  /** people index (0..3) → org index taken as liaison point */
  liaison: number[];
}

const DEMO_UNITS: DemoUnit[] = [
  {
    code: 'U01',
    name: '东岸镇党委',
    kind: '镇党委',
    people: [
      ['梁振华', '镇党委书记'],
      ['何丽娟', '镇党委副书记'],
      ['罗建新', '镇党委委员、副镇长'],
      ['冯淑仪', '镇党委委员、纪委书记'],
      ['邓嘉欣', '镇党建工作办公室干事'],
    ],
    orgs: [
      ['东岸镇新围村党委', '村', false],
      ['东岸镇东风村党支部', '村', true],
      ['东岸镇海景社区党委', '社区', false],
    ],
    liaison: [1, 0, 2, 0],
  },
  {
    code: 'U02',
    name: '西林镇党委',
    kind: '镇党委',
    people: [
      ['苏伟明', '镇党委书记'],
      ['郭秀兰', '镇党委副书记'],
      ['区家豪', '镇党委委员、组织委员'],
      ['潘玉珍', '镇党委委员、宣传委员'],
      ['卢颖', '镇党建工作办公室主任'],
    ],
    orgs: [
      ['西林镇林头村党委', '村', false],
      ['西林镇上涌村党支部', '村', true],
      ['西林镇西林社区党委', '社区', false],
    ],
    liaison: [1, 0, 2, 1],
  },
  {
    code: 'U03',
    name: '南城街道党工委',
    kind: '街道党工委',
    people: [
      ['黎国栋', '街道党工委书记'],
      ['吴婉婷', '街道党工委副书记'],
      ['麦志坚', '街道党工委委员、办事处副主任'],
      ['谭美华', '街道党工委委员、武装部长'],
      ['钟晓琳', '街道党建工作办公室干事'],
    ],
    orgs: [
      ['南城街道桂园社区党委', '社区', false],
      ['南城街道华口社区党委', '社区', true],
      ['南城街道新城社区党支部', '社区', false],
    ],
    liaison: [1, 0, 2, 0],
  },
  {
    code: 'U04',
    name: '区民政局党组',
    kind: '区属部门',
    people: [
      ['叶建华', '局党组书记、局长'],
      ['蔡慧玲', '局党组成员、副局长'],
      ['严永康', '局党组成员、副局长'],
      ['甘少芬', '局党组成员、纪检组长'],
      ['陆敏', '局机关党委专职副书记'],
    ],
    orgs: [['区民政局机关党支部', '机关', false]],
    liaison: [0, 0, 0, 0],
  },
];

const ROLE_ORDER = ['书记', '分管领导', '班子成员', '班子成员', '党建工作人员'] as const;

/** The example roster as tables (header row first), by sheet name. */
export function demoRoster(): Record<'单位' | '人员' | '基层党组织' | '联系点', Table> {
  const units: Table = [headersOf(UNIT_COLUMNS), ['U00', '区委组织部', '区委组织部']];
  const people: Table = [
    headersOf(PERSON_COLUMNS),
    ['P0001', '陈志明', 'U00', '组织部工作人员', '组织科科长', 'ou_demo_0001', '13800000001', 'chenzhiming@example.gov.cn'],
    ['P0002', '黄慧敏', 'U00', '组织部工作人员', '组织科科员', 'ou_demo_0002', '13800000002', ''],
    ['P0003', '李国强', 'U00', '区领导', '区委常委、组织部部长', 'ou_demo_0003', '', ''],
  ];
  const orgs: Table = [headersOf(ORG_COLUMNS)];
  const liaison: Table = [headersOf(LIAISON_COLUMNS)];
  let n = 3;
  DEMO_UNITS.forEach((u, ui) => {
    units.push([u.code, u.name, u.kind]);
    const orgCodes = u.orgs.map((o, oi) => {
      const code = `G${String(ui + 1).padStart(2, '0')}${String(oi + 1).padStart(2, '0')}`;
      orgs.push([code, o[0], u.code, o[1], o[2] ? '是' : '否']);
      return code;
    });
    u.people.forEach(([name, title], pi) => {
      n++;
      const code = `P${String(n).padStart(4, '0')}`;
      const mobile = pi === 0 || pi === 4 ? `138000${String(n).padStart(5, '0')}` : '';
      people.push([code, name, u.code, ROLE_ORDER[pi]!, title, `ou_demo_${String(n).padStart(4, '0')}`, mobile, '']);
      const oi = u.liaison[pi];
      if (oi !== undefined) liaison.push([code, orgCodes[oi]!]);
    });
  });
  // The district leader takes the first weak org as his contact point.
  liaison.push(['P0003', 'G0102']);
  return { 单位: units, 人员: people, 基层党组织: orgs, 联系点: liaison };
}

/** Expected counts when the example roster is imported. */
export const DEMO_ROSTER_COUNTS = { units: 5, people: 23, orgs: 10, liaisonPoints: 17, weakLax: 3 } as const;

/** The example responsibility list (header row first). People refer to the example roster. */
export function demoList(): Table {
  return [
    headersOf(LIST_COLUMNS),
    ['U01', '2026', '1', '制定年度基层党建工作计划，报区委组织部备案', 'P0004', '党建工作办公室', '2026-03-31'],
    ['U01', '2026', '2', '每季度召开一次基层党建工作会议，分析问题、研究措施', 'P0005', '党建工作办公室', '2026-12-31'],
    ['U01', '2026', '3', '完成东风村党支部软弱涣散整顿，达到销号标准', 'P0004', '组织办', '2026-09-30'],
    ['U01', '2026', '4', '基层党建工作经费纳入年度财政预算', 'P0006', '财政办', '2026-04-30'],
    ['U01', '2026', '5', '组织全镇党员开展冬春训学习', 'P0007', '党建工作办公室', '2026-02-28'],
    ['U03', '2026', '1', '制定年度基层党建工作计划，报区委组织部备案', 'P0014', '党建工作办公室', '2026-03-31'],
    ['U03', '2026', '2', '推进社区党群服务中心标准化建设', '', '党建工作办公室', '2026-10-31'],
    ['U04', '2026', '1', '完成机关党支部换届选举', 'P0020', '机关党委', '2026-06-30'],
  ];
}

/** The example projects (header row first), sheets 项目 and 节点. */
export function demoProjects(): Record<'项目' | '节点', Table> {
  return {
    项目: [
      headersOf(PROJECT_COLUMNS),
      ['U01', '2026', 'XM01', '东风村软弱涣散党组织整顿提升', '书记项目', 'P0004'],
      ['U01', '2026', 'XM02', '村级党群服务中心标准化建设', '班子成员项目', 'P0005'],
      ['U03', '2026', 'XM01', '社区“红色网格”党建引领基层治理', '书记项目', 'P0014'],
    ],
    节点: [
      headersOf(MILESTONE_COLUMNS),
      ['U01', '2026', 'XM01', '1', '摸排问题，制定“一村一策”整顿方案', '2026-03-31'],
      ['U01', '2026', 'XM01', '2', '调整充实村党支部班子，落实整改措施', '2026-07-31'],
      ['U01', '2026', 'XM01', '3', '组织验收，申请销号', '2026-11-30'],
      ['U01', '2026', 'XM02', '1', '完成 3 个村党群服务中心改造方案', '2026-04-30'],
      ['U01', '2026', 'XM02', '2', '改造完成并投入使用', '2026-10-31'],
      ['U03', '2026', 'XM01', '1', '划分网格，配齐网格党小组长', '2026-05-31'],
      ['U03', '2026', 'XM01', '2', '网格党员“双报到”全覆盖', '2026-09-30'],
      ['U03', '2026', 'XM01', '3', '总结经验，形成工作案例', '2026-12-15'],
    ],
  };
}

// ---------------------------------------------------------------- writers

const FIXED_DATE = new Date('2026-01-01T00:00:00Z');

/** Columns that hold codes, phone numbers or dates, kept as text so Excel does not eat leading zeros. */
const TEXT_COLUMNS = new Set([
  '单位编号', '人员编号', '组织编号', '所属单位编号', '责任人编号', '负责人编号', '项目编号', '飞书open_id', '手机号', '完成时限', '年度', '序号', '节点序号',
]);

/** Drop-down lists for columns with a fixed set of values. */
const CHOICES: Record<string, string> = {
  单位类型: allowedList(UNIT_KIND_LABELS),
  角色: allowedList(ROLE_LABELS),
  组织类型: allowedList(ORG_KIND_LABELS),
  软弱涣散: allowedList(YES_NO_LABELS),
  类型: allowedList(PROJECT_KIND_LABELS),
};

function addSheet(wb: ExcelJS.Workbook, name: string, table: Table): void {
  const ws = wb.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] });
  const [headers = []] = table;
  headers.forEach((h, i) => {
    const col = ws.getColumn(i + 1);
    col.width = Math.max(10, Math.min(40, Math.max(...table.map((r) => displayWidth(r[i] ?? ''))) + 2));
    if (TEXT_COLUMNS.has(h)) col.numFmt = '@';
  });
  for (const r of table) ws.addRow(r);
  const head = ws.getRow(1);
  head.font = { bold: true };
  head.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFFCE4D6' } };
  headers.forEach((h, i) => {
    const choices = CHOICES[h];
    if (!choices) return;
    const letter = ws.getColumn(i + 1).letter;
    // exceljs has range validations at run time but not in its typings.
    (ws as unknown as { dataValidations: { add(range: string, v: ExcelJS.DataValidation): void } }).dataValidations.add(`${letter}2:${letter}5000`, {
      type: 'list',
      allowBlank: true,
      formulae: [`"${choices.replaceAll('、', ',')}"`],
      showErrorMessage: true,
      errorTitle: '填写有误',
      error: `请从下拉列表中选择：${choices}`,
    });
  });
}

function addNotes(wb: ExcelJS.Workbook, lines: string[]): void {
  const ws = wb.addWorksheet('说明');
  ws.getColumn(1).width = 110;
  for (const l of lines) ws.addRow([l]);
  ws.getRow(1).font = { bold: true };
}

function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += /[\u0000-\u00ff]/.test(ch) ? 1 : 2;
  return w;
}

function newWorkbook(): ExcelJS.Workbook {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'dangjian-bot';
  wb.created = FIXED_DATE;
  wb.modified = FIXED_DATE;
  return wb;
}

/** CSV text with a UTF-8 BOM (so that Excel opens it with the right encoding), CRLF line ends. */
export function toCsv(table: Table): string {
  const esc = (c: string) => (/[",\r\n]/.test(c) ? `"${c.replaceAll('"', '""')}"` : c);
  return `\uFEFF${table.map((r) => r.map(esc).join(',')).join('\r\n')}\r\n`;
}

const ROSTER_NOTES = [
  '名册填写说明（详见 docs/import.md）',
  `单位：单位编号唯一；单位类型填 ${allowedList(UNIT_KIND_LABELS)} 之一。`,
  `人员：人员编号唯一；角色填 ${allowedList(ROLE_LABELS)} 之一；每个单位只能有一名书记；飞书open_id、手机号、邮箱至少填一项（只填手机号或邮箱时，导入时通过飞书通讯录查找 open_id）。`,
  `基层党组织：组织编号唯一；组织类型填 ${allowedList(ORG_KIND_LABELS)} 之一；软弱涣散填 是 或 否（空白视为否）。`,
  '联系点：每行一个（人员编号，组织编号）；只有书记、分管领导、班子成员、区领导设联系点，且组织应属于本人所在单位（区领导除外）。',
  '名册是全量的：再次导入时，表中没有的人员、组织、联系点将被停用（历史记录保留）；人员的角色或单位变化时，其职责从导入之日起按新角色计算。',
  '示例数据均为虚构，请替换为实际数据。此「说明」工作表导入时忽略。',
];

const LIST_NOTES = [
  '责任清单填写说明（详见 docs/import.md）',
  '单位编号、责任人编号须与已导入的名册一致；同一单位同一年度的序号不能重复。',
  '责任人编号和责任部门至少填一项；完成时限写成 2026-03-31 这样的日期，指当天 24 时前（北京时间）。',
  '同一单位同一年度再次导入时，以本次文件为准：文件中没有的序号将被删除。',
];

const PROJECT_NOTES = [
  '党建项目填写说明（详见 docs/import.md）',
  `项目：类型填 ${allowedList(PROJECT_KIND_LABELS)}；书记项目的负责人应为本单位书记，班子成员项目的负责人应为分管领导或班子成员。`,
  '节点：每个项目至少一个节点；用 单位编号 + 年度 + 项目编号 指明项目（项目编号在文件中唯一时，单位编号和年度可不填）。',
  '再次导入同一项目时，以本次文件为准：文件中没有的节点序号将被删除。',
];

/** Write all templates into outDir (default templates/import). */
export async function writeTemplates(outDir: string): Promise<string[]> {
  const written: string[] = [];
  const put = async (rel: string, data: string | Buffer) => {
    const p = path.join(outDir, rel);
    await mkdir(path.dirname(p), { recursive: true });
    await writeFile(p, data);
    written.push(p);
  };

  const roster = demoRoster();
  const rwb = newWorkbook();
  for (const [name, table] of Object.entries(roster)) addSheet(rwb, name, table);
  addNotes(rwb, ROSTER_NOTES);
  await put('roster-template.xlsx', Buffer.from(await rwb.xlsx.writeBuffer()));
  for (const [name, table] of Object.entries(roster)) await put(`roster-csv/${name}.csv`, toCsv(table));

  const list = demoList();
  const lwb = newWorkbook();
  addSheet(lwb, '责任清单', list);
  addNotes(lwb, LIST_NOTES);
  await put('list-template.xlsx', Buffer.from(await lwb.xlsx.writeBuffer()));
  await put('list-template.csv', toCsv(list));

  const projects = demoProjects();
  const pwb = newWorkbook();
  for (const [name, table] of Object.entries(projects)) addSheet(pwb, name, table);
  addNotes(pwb, PROJECT_NOTES);
  await put('projects-template.xlsx', Buffer.from(await pwb.xlsx.writeBuffer()));
  for (const [name, table] of Object.entries(projects)) await put(`projects-csv/${name}.csv`, toCsv(table));
  return written;
}

export const TEMPLATE_DIR = fileURLToPath(new URL('../../templates/import/', import.meta.url));

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const out = process.argv[2] ?? TEMPLATE_DIR;
  writeTemplates(out).then(
    (files) => {
      for (const f of files) console.log(f);
    },
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
