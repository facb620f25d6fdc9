// Parsing and checking of roster, list and project files: each bad input gives the right Chinese problem
// with its sheet, row and column, and every problem of a file is listed.
import { describe, expect, it } from 'vitest';
import { parseList } from '../../src/domain/roster/list.js';
import { checkProjectReferences, parseProjects } from '../../src/domain/roster/projects.js';
import type { RosterRefs } from '../../src/domain/roster/refs.js';
import { parseRoster } from '../../src/domain/roster/roster.js';
import { formatProblem, type Problem, type RawBook, sheetFromArrays } from '../../src/domain/roster/table.js';
import { deadlineInstant, normalizeEmail, normalizeMobile, parseDate } from '../../src/domain/roster/values.js';
import { demoList, demoProjects, demoRoster } from '../../src/import/make-templates.js';
import { cellText, readCsv } from '../../src/import/read-table.js';

type Tables = ReturnType<typeof demoRoster>;

function book(edit: (t: Tables) => void = () => {}): RawBook {
  const t = demoRoster();
  edit(t);
  return Object.entries(t).map(([name, rows]) => sheetFromArrays(name, rows));
}

function problemsOf(b: RawBook): Problem[] {
  const r = parseRoster(b);
  if (r.ok) throw new Error('expected problems');
  return r.problems;
}

/** Row of a person in the 人员 table by code. */
const person = (t: Tables, code: string) => t.人员.find((r) => r[0] === code)!;

describe('parseRoster', () => {
  it('accepts the example roster', () => {
    const r = parseRoster(book());
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.units).toHaveLength(5);
    expect(r.value.people).toHaveLength(23);
    expect(r.value.orgs).toHaveLength(10);
    expect(r.value.liaisonPoints).toHaveLength(17);
    expect(r.value.people[3]).toEqual({
      row: 5,
      code: 'P0004',
      name: '梁振华',
      unitCode: 'U01',
      role: 'SECRETARY',
      title: '镇党委书记',
      larkOpenId: 'ou_demo_0004',
      mobile: '13800000004',
      email: null,
    });
    expect(r.value.units[1]).toEqual({ row: 3, code: 'U01', name: '东岸镇党委', kind: 'TOWN' });
    expect(r.value.orgs[1]).toMatchObject({ code: 'G0102', kind: 'VILLAGE', weakLax: true });
  });

  it('reports a missing sheet', () => {
    const b = book().filter((s) => s.name !== '联系点');
    expect(problemsOf(b)).toEqual([
      { sheet: '联系点', row: null, column: null, message: '缺少工作表「联系点」。文件应有的工作表：单位、人员、基层党组织、联系点' },
    ]);
  });

  it('reports an unknown header and tells which are expected, and a missing column', () => {
    const b = book((t) => {
      t.单位[0] = ['单位编号', '单位全称', '单位类型'];
    });
    expect(problemsOf(b)).toEqual([
      { sheet: '单位', row: 1, column: '单位全称', message: '未知的列「单位全称」。「单位」表应有的列：单位编号、单位名称、单位类型' },
      { sheet: '单位', row: 1, column: '单位名称', message: '缺少列「单位名称」。「单位」表应有的列：单位编号、单位名称、单位类型' },
    ]);
  });

  it('tolerates spaces, case and a "(必填)" note in headers, and leaves out optional columns', () => {
    const b = book((t) => {
      t.单位[0] = [' 单位编号 ', '单位名称（必填）', '单位类型'];
      t.人员 = t.人员.map((r) => r.slice(0, 6));
      t.人员[0]![5] = '飞书 Open_ID';
    });
    expect(parseRoster(b).ok).toBe(true);
  });

  it('reports data in a column without a header', () => {
    const b = book((t) => {
      t.单位[2]!.push('', '多余');
    });
    expect(problemsOf(b)).toEqual([
      { sheet: '单位', row: 1, column: null, message: '第 E 列有数据但没有列名。「单位」表应有的列：单位编号、单位名称、单位类型' },
    ]);
  });

  it('reports empty required cells and a value outside the allowed ones', () => {
    const b = book((t) => {
      t.单位[2] = ['U01', '', '镇'];
    });
    expect(problemsOf(b)).toEqual([
      { sheet: '单位', row: 3, column: '单位名称', message: '「单位名称」不能为空' },
      {
        sheet: '单位',
        row: 3,
        column: '单位类型',
        message: '「单位类型」填写的「镇」不是允许的值，应为：镇党委、街道党工委、区属部门、其他、区委组织部',
      },
    ]);
  });

  it('reports duplicate unit codes and names, naming the first row', () => {
    const b = book((t) => {
      t.单位.push(['U01', '北江镇党委', '镇党委'], ['U09', '西林镇党委', '镇党委']);
    });
    expect(problemsOf(b)).toEqual([
      { sheet: '单位', row: 7, column: '单位编号', message: '单位编号「U01」重复，第 3 行已有' },
      { sheet: '单位', row: 8, column: '单位名称', message: '单位名称「西林镇党委」重复，第 4 行已有' },
    ]);
  });

  it('reports a person in an unknown unit, a second secretary, and a wrong role label', () => {
    const b = book((t) => {
      person(t, 'P0005')[3] = '书记';
      person(t, 'P0006')[2] = 'U99';
      person(t, 'P0007')[3] = '副书记';
    });
    expect(problemsOf(b)).toEqual([
      { sheet: '人员', row: 6, column: '角色', message: '单位「U01」已有书记（第 5 行 梁振华），每个单位只能有一名书记' },
      { sheet: '人员', row: 7, column: '单位编号', message: '单位编号「U99」在「单位」表中不存在' },
      {
        sheet: '人员',
        row: 8,
        column: '角色',
        message: '「角色」填写的「副书记」不是允许的值，应为：书记、分管领导、班子成员、党建工作人员、组织部工作人员、区领导',
      },
    ]);
  });

  it('reports missing and malformed Lark identities, and duplicates of them', () => {
    const b = book((t) => {
      person(t, 'P0005').splice(5, 3, '', '', '');
      person(t, 'P0006').splice(5, 3, '', '1380000', 'not-an-email');
      person(t, 'P0007').splice(5, 3, 'abc123', '', '');
      person(t, 'P0010').splice(5, 3, 'ou_demo_0009', '+86 138-0000-0004', '');
    });
    expect(problemsOf(b)).toEqual([
      { sheet: '人员', row: 6, column: '飞书open_id', message: '飞书open_id、手机号、邮箱至少填一项，否则无法找到此人的飞书账号' },
      { sheet: '人员', row: 7, column: '手机号', message: '手机号「1380000」格式不对，应为 11 位中国大陆手机号，如 13800138000' },
      { sheet: '人员', row: 7, column: '邮箱', message: '邮箱「not-an-email」格式不对，应如 zhangsan@example.gov.cn' },
      {
        sheet: '人员',
        row: 8,
        column: '飞书open_id',
        message: '飞书open_id「abc123」格式不对，应以 ou_ 开头，如 ou_7d8a6e6df7621556ce0d21922b676706',
      },
      { sheet: '人员', row: 11, column: '飞书open_id', message: '飞书open_id「ou_demo_0009」重复，第 10 行已有' },
      { sheet: '人员', row: 11, column: '手机号', message: '手机号「+86 138-0000-0004」重复，第 5 行已有' },
    ]);
  });

  it('reports OD staff outside the organisation department', () => {
    const b = book((t) => {
      person(t, 'P0008')[3] = '组织部工作人员';
    });
    expect(problemsOf(b)).toEqual([
      { sheet: '人员', row: 9, column: '角色', message: '组织部工作人员应属于单位类型为「区委组织部」的单位，单位「U01 东岸镇党委」的类型是镇党委' },
    ]);
  });

  it('reports orgs in unknown units, bad 软弱涣散 values and a name used twice in one unit', () => {
    const b = book((t) => {
      t.基层党组织.push(['G0999', '某村党支部', 'U77', '村', '否']);
      t.基层党组织.push(['G0998', '某村党支部', 'U01', '村', '有']);
      t.基层党组织.push(['G0997', '东岸镇新围村党委', 'U01', '村', '']);
    });
    expect(problemsOf(b)).toEqual([
      { sheet: '基层党组织', row: 12, column: '所属单位编号', message: '单位编号「U77」在「单位」表中不存在' },
      { sheet: '基层党组织', row: 13, column: '软弱涣散', message: '「软弱涣散」填写的「有」不是允许的值，应为：是、否' },
      { sheet: '基层党组织', row: 14, column: '组织名称', message: '同一单位下组织名称「东岸镇新围村党委」重复，第 2 行已有' },
    ]);
  });

  it('reports liaison points: unknown person or org, org of another unit, a role without points, duplicates', () => {
    const b = book((t) => {
      t.联系点.push(['P0999', 'G0101']); // 19
      t.联系点.push(['P0004', 'G0999']); // 20
      t.联系点.push(['P0005', 'G0201']); // 21: U01 leader, U02 org
      t.联系点.push(['P0008', 'G0101']); // 22: STAFF
      t.联系点.push(['P0004', 'G0102']); // 23: duplicate of row 2
      t.联系点.push(['P0003', 'G0301']); // 24: district leader, any unit: fine
    });
    expect(problemsOf(b)).toEqual([
      { sheet: '联系点', row: 19, column: '人员编号', message: '人员编号「P0999」在「人员」表中不存在' },
      { sheet: '联系点', row: 20, column: '组织编号', message: '组织编号「G0999」在「基层党组织」表中不存在' },
      {
        sheet: '联系点',
        row: 21,
        column: '组织编号',
        message: '组织「G0201 西林镇林头村党委」属于单位 U02，不在人员「P0005 何丽娟」所在的单位 U01；基层联系点应在本单位',
      },
      {
        sheet: '联系点',
        row: 22,
        column: '人员编号',
        message: '人员「P0008 邓嘉欣」的角色是党建工作人员；只有书记、分管领导、班子成员和区领导设基层联系点',
      },
      { sheet: '联系点', row: 23, column: '组织编号', message: '联系点（人员「P0004」、组织「G0102」）重复，第 2 行已有' },
    ]);
  });

  it('lists every problem of a file, in sheet and row order', () => {
    const b = book((t) => {
      t.联系点.push(['P0999', 'G0101']);
      t.基层党组织.push(['G0999', '', 'U01', '村', '']);
      t.人员.push(['P0100', '某某', 'U01', '书记', '', 'ou_x', '', '']);
      t.单位.push(['U05', '', '']);
    });
    const problems = problemsOf(b);
    expect(problems.map(formatProblem)).toEqual([
      '「单位」表第 7 行「单位名称」：「单位名称」不能为空',
      '「单位」表第 7 行「单位类型」：「单位类型」不能为空',
      '「人员」表第 25 行「角色」：单位「U01」已有书记（第 5 行 梁振华），每个单位只能有一名书记',
      '「基层党组织」表第 12 行「组织名称」：「组织名称」不能为空',
      '「联系点」表第 19 行「人员编号」：人员编号「P0999」在「人员」表中不存在',
    ]);
  });

  it('skips blank rows and keeps the spreadsheet row numbers', () => {
    const b = book((t) => {
      t.单位.splice(2, 0, ['', '', '']);
      t.单位.push(['U05', '北江镇党委', '乡镇']);
    });
    expect(problemsOf(b)).toEqual([expect.objectContaining({ sheet: '单位', row: 8, column: '单位类型' })]);
  });
});

describe('parseList', () => {
  const listBook = (edit: (t: string[][]) => void = () => {}): RawBook => {
    const t = demoList();
    edit(t);
    return [sheetFromArrays('责任清单', t)];
  };

  it('accepts the example list', () => {
    const r = parseList(listBook());
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.items).toHaveLength(8);
    expect(r.value.items[0]).toMatchObject({ unitCode: 'U01', year: 2026, seq: 1, deadline: { y: 2026, m: 3, d: 31 }, responsiblePersonCode: 'P0004' });
    expect(r.value.items[6]).toMatchObject({ responsiblePersonCode: null, responsibleDept: '党建工作办公室' });
  });

  it('reports bad dates, years, sequence numbers, duplicates and a missing owner', () => {
    const r = parseList(
      listBook((t) => {
        t.push(['U01', '26', 'x', '某事', 'P0004', '', '2026-02-30']); // 10
        t.push(['U01', '2026', '1', '某事', '', '', '2026/4/1']); // 11
        t.push(['U01', '2026', '9', '某事', 'P0004', '', '2025-12-31']); // 12
      }),
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems).toEqual([
      { sheet: '责任清单', row: 10, column: '年度', message: '「年度」填写的「26」不是有效年份，应为四位数字，如 2026' },
      { sheet: '责任清单', row: 10, column: '序号', message: '「序号」填写的「x」应为正整数，如 1、2、3' },
      { sheet: '责任清单', row: 10, column: '完成时限', message: '「完成时限」填写的「2026-02-30」不是有效日期，应写成 2026-03-31 这样的格式' },
      { sheet: '责任清单', row: 11, column: '责任人编号', message: '责任人编号和责任部门至少填一项' },
      { sheet: '责任清单', row: 11, column: '序号', message: '单位「U01」2026 年度序号 1 重复，第 2 行已有' },
      { sheet: '责任清单', row: 12, column: '完成时限', message: '完成时限 2025-12-31 早于 2026 年度' },
    ]);
  });
});

describe('parseProjects', () => {
  const projBook = (edit: (t: ReturnType<typeof demoProjects>) => void = () => {}): RawBook => {
    const t = demoProjects();
    edit(t);
    return Object.entries(t).map(([name, rows]) => sheetFromArrays(name, rows));
  };

  it('accepts the example projects', () => {
    const r = parseProjects(projBook());
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.projects).toHaveLength(3);
    expect(r.value.milestones).toHaveLength(8);
    expect(r.value.projects[0]).toMatchObject({ kind: 'SECRETARY', ownerCode: 'P0004' });
  });

  it('reports an ambiguous or unknown project code, a project without milestones, and a bad type', () => {
    const r = parseProjects(
      projBook((t) => {
        t.项目.push(['U02', '2026', 'XM09', '某项目', '书记', 'P0009']); // 5
        t.节点 = [['项目编号', '节点序号', '节点内容', '完成时限'], ...t.节点.slice(1).map((row) => row.slice(2))];
        t.节点.push(['XM77', '1', '某节点', '2026-05-01']); // 10
      }),
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const xm01 = '项目编号「XM01」在「项目」表中有 2 个，请同时填写单位编号和年度';
    expect(r.problems).toEqual([
      { sheet: '项目', row: 2, column: '项目编号', message: '项目「XM01 东风村软弱涣散党组织整顿提升」没有节点，请在「节点」表中填写至少一个节点（内容和完成时限）' },
      { sheet: '项目', row: 4, column: '项目编号', message: '项目「XM01 社区“红色网格”党建引领基层治理」没有节点，请在「节点」表中填写至少一个节点（内容和完成时限）' },
      { sheet: '项目', row: 5, column: '类型', message: '「类型」填写的「书记」不是允许的值，应为：书记项目、班子成员项目' },
      ...[2, 3, 4, 7, 8, 9].map((row) => ({ sheet: '节点', row, column: '项目编号', message: xm01 })),
      { sheet: '节点', row: 10, column: '项目编号', message: '「项目」表中没有项目编号「XM77」' },
    ]);
  });

  it('checks owners against the roster', () => {
    const r = parseProjects(projBook());
    if (!r.ok) throw new Error('parse');
    const refs: RosterRefs = {
      units: new Map([
        ['U01', { name: '东岸镇党委', kind: 'TOWN', active: true }],
        ['U03', { name: '南城街道党工委', kind: 'SUBDISTRICT', active: false }],
      ]),
      people: new Map([
        ['P0004', { name: '梁振华', unitCode: 'U01', role: 'SECRETARY', active: true }],
        ['P0005', { name: '何丽娟', unitCode: 'U01', role: 'STAFF', active: true }],
      ]),
    };
    expect(checkProjectReferences(r.value, refs)).toEqual([
      { sheet: '项目', row: 3, column: '负责人编号', message: '班子成员项目的负责人应为分管领导或班子成员，「P0005 何丽娟」的角色是党建工作人员' },
      { sheet: '项目', row: 4, column: '单位编号', message: '单位「U03 南城街道党工委」已停用' },
      { sheet: '项目', row: 4, column: '负责人编号', message: '人员编号「P0014」不在名册中' },
    ]);
  });
});

describe('cell values', () => {
  it('parses dates in the usual ways and rejects impossible ones', () => {
    for (const t of ['2026-03-31', '2026/3/31', '2026.3.31', '2026年3月31日', '20260331', '2026-03-31 00:00:00']) {
      expect(parseDate(t)).toEqual({ y: 2026, m: 3, d: 31 });
    }
    for (const t of ['2026-02-29', '2026-13-01', '31/03/2026', 'tomorrow', '']) expect(parseDate(t)).toBeUndefined();
    expect(parseDate('2028-02-29')).toEqual({ y: 2028, m: 2, d: 29 });
  });

  it('makes a deadline the end of the Beijing day', () => {
    expect(deadlineInstant({ y: 2026, m: 3, d: 31 }).toISOString()).toBe('2026-03-31T15:59:59.999Z');
  });

  it('normalises mobiles and e-mails', () => {
    expect(normalizeMobile('+86 138-0013-8000')).toBe('13800138000');
    expect(normalizeMobile('008613800138000')).toBe('13800138000');
    expect(normalizeMobile('12800138000')).toBeUndefined();
    expect(normalizeMobile('0757-22830601')).toBeUndefined();
    expect(normalizeEmail(' ZhangSan@Example.gov.cn ')).toBe('zhangsan@example.gov.cn');
    expect(normalizeEmail('zhangsan@')).toBeUndefined();
  });

  it('reads exceljs cell values as the clerk sees them', () => {
    expect(cellText(new Date(Date.UTC(2026, 2, 31)))).toBe('2026-03-31');
    expect(cellText(13800138000)).toBe('13800138000');
    expect(cellText(2026)).toBe('2026');
    expect(cellText(0.1 + 0.2)).toBe('0.3');
    expect(cellText({ richText: [{ text: '东岸' }, { text: '镇党委' }] })).toBe('东岸镇党委');
    expect(cellText({ formula: 'A1', result: '是' } as never)).toBe('是');
    expect(cellText({ text: 'a@b.cn', hyperlink: 'mailto:a@b.cn' })).toBe('a@b.cn');
    expect(cellText(null)).toBe('');
  });
});

describe('readCsv', () => {
  const text = '单位编号,单位名称,单位类型\r\nU01,东岸镇党委,镇党委\r\n\r\n"U02","西林镇党委, 新","镇党委"\r\n';

  it('reads UTF-8 with and without BOM, keeping row numbers', () => {
    for (const data of [Buffer.from(text, 'utf8'), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')])]) {
      const s = readCsv(data, '单位');
      expect(s.headers).toEqual(['单位编号', '单位名称', '单位类型']);
      expect(s.rows[0]).toEqual({ row: 2, cells: ['U01', '东岸镇党委', '镇党委'] });
      expect(s.rows[2]).toEqual({ row: 4, cells: ['U02', '西林镇党委, 新', '镇党委'] });
    }
  });

  it('reads a GB18030 file (Excel "CSV (逗号分隔)" on Chinese Windows)', () => {
    // "单位编号,单位名称\r\nU01,东岸镇党委\r\n" in GBK.
    const gbk = Buffer.from(
      'b5a5cebbb1e0bac52cb5a5cebbc3fbb3c60d0a5530312cb6abb0b6d5f2b5b3ceaf0d0a',
      'hex',
    );
    const s = readCsv(gbk, '单位');
    expect(s.headers).toEqual(['单位编号', '单位名称']);
    expect(s.rows[0]!.cells).toEqual(['U01', '东岸镇党委']);
  });
});
