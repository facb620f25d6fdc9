// Roster, list and project import against a real PostgreSQL database (one per file).
import { fileURLToPath } from 'node:url';
import * as lark from '@larksuiteoapi/node-sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseList } from '../../src/domain/roster/list.js';
import { parseProjects } from '../../src/domain/roster/projects.js';
import { type ParsedRoster, parseRoster } from '../../src/domain/roster/roster.js';
import { type RawBook, sheetFromArrays } from '../../src/domain/roster/table.js';
import { DEMO_ROSTER_COUNTS, demoRoster } from '../../src/import/make-templates.js';
import { larkIdResolver } from '../../src/import/lark-resolve.js';
import { readBook } from '../../src/import/read-table.js';
import { startSandbox } from '../../src/sandbox/index.js';
import {
  ImportRejectedError,
  importList,
  importListFile,
  importProjects,
  importProjectsFile,
  importRoster,
  importRosterFile,
} from '../../src/import/roster-import.js';
import type { PrismaClient } from '../../src/generated/prisma/client.js';
import { type FreshDatabase, freshDatabase } from '../helpers/db.js';

const TEMPLATES = fileURLToPath(new URL('../../templates/import/', import.meta.url));
const T0 = new Date('2026-01-05T02:00:00Z');
const T1 = new Date('2026-04-01T02:00:00Z');

let db: FreshDatabase;
let prisma: PrismaClient;

beforeAll(async () => {
  db = await freshDatabase('roster_import');
  prisma = db.prisma;
});
afterAll(async () => {
  await db?.drop();
});

async function wipe(): Promise<void> {
  await prisma.$executeRawUnsafe(
    'TRUNCATE "Milestone", "Project", "ListItem", "LiaisonPoint", "GrassrootsOrg", "Person", "Unit" RESTART IDENTITY CASCADE',
  );
}

function parsed(book: RawBook): ParsedRoster {
  const r = parseRoster(book);
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.value;
}

/** The demo roster as a RawBook, after an edit of its tables. */
function demoBook(edit: (t: ReturnType<typeof demoRoster>) => void = () => {}): RawBook {
  const t = demoRoster();
  edit(t);
  return Object.entries(t).map(([name, rows]) => sheetFromArrays(name, rows));
}

async function counts() {
  const [units, people, orgs, liaisonPoints, activePeople, activePoints, weakLax] = await Promise.all([
    prisma.unit.count(),
    prisma.person.count(),
    prisma.grassrootsOrg.count(),
    prisma.liaisonPoint.count(),
    prisma.person.count({ where: { active: true } }),
    prisma.liaisonPoint.count({ where: { active: true } }),
    prisma.grassrootsOrg.count({ where: { weakLax: true } }),
  ]);
  return { units, people, orgs, liaisonPoints, activePeople, activePoints, weakLax };
}

describe('importRoster', () => {
  beforeEach(wipe);

  it('imports the shipped xlsx template with the expected counts', async () => {
    const summary = await importRosterFile(prisma, `${TEMPLATES}roster-template.xlsx`, { now: T0 });
    expect(summary.units).toEqual({ created: DEMO_ROSTER_COUNTS.units, updated: 0, deactivated: 0 });
    expect(summary.people).toEqual({ created: DEMO_ROSTER_COUNTS.people, updated: 0, deactivated: 0 });
    expect(summary.orgs).toEqual({ created: DEMO_ROSTER_COUNTS.orgs, updated: 0, deactivated: 0 });
    expect(summary.liaisonPoints).toEqual({ created: DEMO_ROSTER_COUNTS.liaisonPoints, updated: 0, deactivated: 0 });
    expect(await counts()).toEqual({
      units: 5,
      people: 23,
      orgs: 10,
      liaisonPoints: 17,
      activePeople: 23,
      activePoints: 17,
      weakLax: 3,
    });
    expect(await prisma.person.count({ where: { role: 'SECRETARY' } })).toBe(4);
    const secretary = await prisma.person.findUniqueOrThrow({ where: { code: 'P0004' }, include: { unit: true, liaisonPoints: { include: { org: true } } } });
    expect(secretary).toMatchObject({ name: '梁振华', role: 'SECRETARY', larkOpenId: 'ou_demo_0004', mobile: '13800000004', activeFrom: T0 });
    expect(secretary.unit).toMatchObject({ code: 'U01', kind: 'TOWN' });
    expect(secretary.liaisonPoints.map((lp) => lp.org.name)).toEqual(['东岸镇东风村党支部']);
    const weak = await prisma.grassrootsOrg.findUniqueOrThrow({ where: { code: 'G0102' } });
    expect(weak).toMatchObject({ weakLax: true, weakLaxSince: T0, kind: 'VILLAGE' });
  });

  it('imports the CSV folder the same way, and a second import creates no duplicates', async () => {
    await importRosterFile(prisma, `${TEMPLATES}roster-csv`, { now: T0 });
    const before = await counts();
    const again = await importRosterFile(prisma, `${TEMPLATES}roster-template.xlsx`, { now: T1 });
    expect(again.units).toEqual({ created: 0, updated: 0, deactivated: 0 });
    expect(again.people).toEqual({ created: 0, updated: 0, deactivated: 0 });
    expect(again.orgs).toEqual({ created: 0, updated: 0, deactivated: 0 });
    expect(again.liaisonPoints).toEqual({ created: 0, updated: 0, deactivated: 0 });
    expect(await counts()).toEqual(before);
    // Nothing changed, so nobody's activeFrom moved.
    expect(await prisma.person.count({ where: { activeFrom: T0 } })).toBe(23);
  });

  it('writes nothing when one row is bad', async () => {
    await importRoster(prisma, parsed(demoBook()), { now: T0 });
    const before = await counts();
    // A new person and a renamed unit, plus one person whose mobile cannot be resolved.
    const book = demoBook((t) => {
      t.单位[1]![1] = '区委组织部（新）';
      t.人员.push(['P0100', '新人甲', 'U01', '班子成员', '', 'ou_demo_0100', '', '']);
      t.人员.push(['P0101', '新人乙', 'U01', '班子成员', '', '', '13900000101', '']);
    });
    const err = await importRoster(prisma, parsed(book), { now: T1, resolveIds: async () => new Map() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImportRejectedError);
    expect((err as ImportRejectedError).problems).toEqual([
      expect.objectContaining({ sheet: '人员', row: 26, column: '手机号', message: expect.stringContaining('找不到手机号「13900000101」') }),
    ]);
    expect(await counts()).toEqual(before);
    expect(await prisma.unit.findUnique({ where: { code: 'U00' } })).toMatchObject({ name: '区委组织部' });
    expect(await prisma.person.findUnique({ where: { code: 'P0100' } })).toBeNull();
  });

  it('rolls back everything when the transaction fails half way', async () => {
    await importRoster(prisma, parsed(demoBook()), { now: T0 });
    const before = await counts();
    const book = demoBook((t) => {
      t.单位[1]![1] = '区委组织部（新）';
      t.人员.push(['P0100', '新人甲', 'U01', '班子成员', '', 'ou_demo_0100', '', '']);
    });
    // Units and people are written, then the orgs step fails.
    const onProgress = (p: { step: string }) => {
      if (p.step === 'orgs') throw new Error('boom');
    };
    await expect(importRoster(prisma, parsed(book), { now: T1, onProgress })).rejects.toThrow('boom');
    expect(await counts()).toEqual(before);
    expect(await prisma.unit.findUnique({ where: { code: 'U00' } })).toMatchObject({ name: '区委组织部' });
  });

  it('rejects a file with a bad row before touching the database (parse stage)', async () => {
    await importRoster(prisma, parsed(demoBook()), { now: T0 });
    const before = await counts();
    const book = demoBook((t) => {
      t.人员.push(['P0100', '新人甲', 'U09', '班子成员', '', 'ou_demo_0100', '', '']);
    });
    const r = parseRoster(book);
    expect(r.ok).toBe(false);
    await expect(importRosterFile(prisma, '/nonexistent.xlsx', { now: T1 })).rejects.toThrow('找不到文件');
    expect(await counts()).toEqual(before);
  });

  it('deactivates a person left out of a re-import and keeps the row and history', async () => {
    await importRoster(prisma, parsed(demoBook()), { now: T0 });
    // P0007 (冯淑仪, U01 班子成员) leaves: her person row and her liaison point go.
    const book = demoBook((t) => {
      t.人员 = t.人员.filter((r) => r[0] !== 'P0007');
      t.联系点 = t.联系点.filter((r) => r[0] !== 'P0007');
    });
    const s = await importRoster(prisma, parsed(book), { now: T1 });
    expect(s.people).toEqual({ created: 0, updated: 0, deactivated: 1 });
    expect(s.liaisonPoints).toEqual({ created: 0, updated: 0, deactivated: 1 });
    const gone = await prisma.person.findUniqueOrThrow({ where: { code: 'P0007' }, include: { liaisonPoints: true } });
    expect(gone).toMatchObject({ active: false, deactivatedAt: T1, name: '冯淑仪', larkOpenId: 'ou_demo_0007' });
    expect(gone.liaisonPoints).toEqual([expect.objectContaining({ active: false })]);
    expect(await prisma.person.count()).toBe(23);

    // She comes back: reactivated, owes duties from the return on.
    const back = await importRoster(prisma, parsed(demoBook()), { now: new Date('2026-05-01T02:00:00Z') });
    expect(back.people).toEqual({ created: 0, updated: 1, deactivated: 0 });
    expect(back.liaisonPoints).toEqual({ created: 0, updated: 1, deactivated: 0 });
    expect(await prisma.person.findUniqueOrThrow({ where: { code: 'P0007' } })).toMatchObject({
      active: true,
      deactivatedAt: null,
      activeFrom: new Date('2026-05-01T02:00:00Z'),
    });
  });

  it('sets activeFrom on a role change or a move, and leaves it on other edits', async () => {
    await importRoster(prisma, parsed(demoBook()), { now: T0 });
    const book = demoBook((t) => {
      // P0005 何丽娟 becomes 书记 of U01, P0004 梁振华 moves to U02 as a 班子成员 (his liaison point moves too),
      // P0006 gets a new title only.
      const row = (code: string) => t.人员.find((r) => r[0] === code)!;
      row('P0004')[3] = '班子成员';
      row('P0004')[2] = 'U02';
      row('P0005')[3] = '书记';
      row('P0006')[4] = '镇党委委员、常务副镇长';
      t.联系点 = t.联系点.map((r) => (r[0] === 'P0004' ? ['P0004', 'G0201'] : r));
    });
    const s = await importRoster(prisma, parsed(book), { now: T1 });
    expect(s.people).toEqual({ created: 0, updated: 3, deactivated: 0 });
    expect(s.liaisonPoints).toEqual({ created: 1, updated: 0, deactivated: 1 });
    const [p4, p5, p6] = await Promise.all(
      ['P0004', 'P0005', 'P0006'].map((code) => prisma.person.findUniqueOrThrow({ where: { code }, include: { unit: true } })),
    );
    expect(p4).toMatchObject({ role: 'MEMBER', activeFrom: T1 });
    expect(p4!.unit.code).toBe('U02');
    expect(p5).toMatchObject({ role: 'SECRETARY', activeFrom: T1 });
    expect(p6).toMatchObject({ title: '镇党委委员、常务副镇长', activeFrom: T0 });
  });

  it('resolves mobile-only and e-mail-only rows through the resolver, and reuses the result on re-import', async () => {
    const book = demoBook((t) => {
      for (const r of t.人员) {
        if (r[0] === 'P0008') r.splice(5, 3, '', '13800000008', '');
        if (r[0] === 'P0013') r.splice(5, 3, '', '', 'luying@example.gov.cn');
      }
    });
    const calls: [string[], string[]][] = [];
    const resolveIds = async (mobiles: string[], emails: string[]) => {
      calls.push([mobiles, emails]);
      return new Map([
        ['13800000008', 'ou_lark_0008'],
        ['luying@example.gov.cn', 'ou_lark_0013'],
      ]);
    };
    const s = await importRoster(prisma, parsed(book), { now: T0, resolveIds });
    expect(s.resolvedByLark).toBe(2);
    expect(calls).toEqual([[['13800000008'], ['luying@example.gov.cn']]]);
    expect(await prisma.person.findUniqueOrThrow({ where: { code: 'P0008' } })).toMatchObject({ larkOpenId: 'ou_lark_0008' });
    expect(await prisma.person.findUniqueOrThrow({ where: { code: 'P0013' } })).toMatchObject({
      larkOpenId: 'ou_lark_0013',
      email: 'luying@example.gov.cn',
      mobile: null,
    });

    // Same mobile / e-mail next time: the stored open_id is kept, Lark is not asked again.
    const again = await importRoster(prisma, parsed(book), { now: T1, resolveIds });
    expect(calls).toHaveLength(1);
    expect(again.people).toEqual({ created: 0, updated: 0, deactivated: 0 });

    // Without a resolver a new mobile-only row is a problem.
    const book2 = demoBook((t) => {
      t.人员.push(['P0100', '新人', 'U02', '党建工作人员', '', '', '13900000100', '']);
    });
    const err = (await importRoster(prisma, parsed(book2), { now: T1 }).catch((e: unknown) => e)) as ImportRejectedError;
    expect(err).toBeInstanceOf(ImportRejectedError);
    expect(err.problems).toEqual([expect.objectContaining({ sheet: '人员', row: 25, column: '手机号', message: expect.stringContaining('未连接飞书') })]);
  });

  it('resolves through the real Lark SDK against the sandbox, in batches of 50', async () => {
    // 60 extra staff of U01 with mobile only (two batches), one with e-mail only, one unknown to Lark.
    const extra = Array.from({ length: 60 }, (_, i) => ({ code: `P1${String(i).padStart(3, '0')}`, mobile: `1390000${String(i).padStart(4, '0')}` }));
    const sb = await startSandbox({
      delivery: { mode: 'none' },
      users: [
        ...extra.map((e, i) => ({ openId: `ou_sb_${i}`, name: `员工${i}`, mobile: `+86 ${e.mobile}` })),
        { openId: 'ou_sb_mail', name: '邮箱用户', email: 'Mail.User@example.gov.cn' },
      ],
    });
    try {
      const quiet = { error() {}, warn() {}, info() {}, debug() {}, trace() {} };
      const client = new lark.Client({ appId: sb.appId, appSecret: sb.appSecret, domain: sb.baseUrl, logger: quiet });
      const resolveIds = larkIdResolver(client);
      const book = demoBook((t) => {
        for (const e of extra) t.人员.push([e.code, `员工${e.code}`, 'U01', '党建工作人员', '', '', e.mobile, '']);
        t.人员.push(['P2000', '邮箱用户', 'U02', '党建工作人员', '', '', '', 'mail.user@example.gov.cn']);
      });
      const s = await importRoster(prisma, parsed(book), { now: T0, resolveIds });
      expect(s.resolvedByLark).toBe(61);
      expect(await prisma.person.findUniqueOrThrow({ where: { code: 'P1059' } })).toMatchObject({ larkOpenId: 'ou_sb_59', mobile: '13900000059' });
      expect(await prisma.person.findUniqueOrThrow({ where: { code: 'P2000' } })).toMatchObject({ larkOpenId: 'ou_sb_mail' });

      const unknown = demoBook((t) => {
        t.人员.push(['P3000', '查无此人', 'U02', '党建工作人员', '', '', '13700000000', '']);
      });
      const err = (await importRoster(prisma, parsed(unknown), { now: T1, resolveIds }).catch((e: unknown) => e)) as ImportRejectedError;
      expect(err.problems).toEqual([
        expect.objectContaining({ row: 25, column: '手机号', message: expect.stringContaining('找不到手机号「13700000000」') }),
      ]);
    } finally {
      await sb.close();
    }
  });

  it('moves an open_id from a person left out to a renumbered one, and marks a left-out unit whose name is reused', async () => {
    await importRoster(prisma, parsed(demoBook()), { now: T0 });
    const book = demoBook((t) => {
      // The clerk renumbered P0023 to P9023 and U04 to U44.
      for (const r of t.人员) {
        if (r[0] === 'P0023') r[0] = 'P9023';
        if (r[2] === 'U04') r[2] = 'U44';
      }
      for (const r of t.单位) if (r[0] === 'U04') r[0] = 'U44';
      for (const r of t.基层党组织) if (r[2] === 'U04') r[2] = 'U44';
    });
    const s = await importRoster(prisma, parsed(book), { now: T1 });
    expect(s.units).toEqual({ created: 1, updated: 0, deactivated: 1 });
    expect(s.people).toEqual({ created: 0 + 1, updated: 4, deactivated: 1 });
    expect(await prisma.person.findUniqueOrThrow({ where: { code: 'P9023' } })).toMatchObject({ larkOpenId: 'ou_demo_0023', active: true });
    expect(await prisma.person.findUniqueOrThrow({ where: { code: 'P0023' } })).toMatchObject({ larkOpenId: null, active: false });
    expect(await prisma.unit.findUniqueOrThrow({ where: { code: 'U04' } })).toMatchObject({ name: '区民政局党组（已停用·U04）', active: false });
    expect(await prisma.unit.findUniqueOrThrow({ where: { code: 'U44' } })).toMatchObject({ name: '区民政局党组', active: true });
  });

  it('lifts and sets the 软弱涣散 mark with its date', async () => {
    await importRoster(prisma, parsed(demoBook()), { now: T0 });
    const book = demoBook((t) => {
      for (const r of t.基层党组织) {
        if (r[0] === 'G0102') r[4] = '否';
        if (r[0] === 'G0101') r[4] = '是';
      }
    });
    const s = await importRoster(prisma, parsed(book), { now: T1 });
    expect(s.orgs).toEqual({ created: 0, updated: 2, deactivated: 0 });
    expect(await prisma.grassrootsOrg.findUniqueOrThrow({ where: { code: 'G0102' } })).toMatchObject({ weakLax: false, weakLaxSince: null });
    expect(await prisma.grassrootsOrg.findUniqueOrThrow({ where: { code: 'G0101' } })).toMatchObject({ weakLax: true, weakLaxSince: T1 });
    expect(await prisma.grassrootsOrg.findUniqueOrThrow({ where: { code: 'G0202' } })).toMatchObject({ weakLax: true, weakLaxSince: T0 });
  });
});

describe('importList and importProjects', () => {
  beforeAll(async () => {
    await wipe();
    await importRosterFile(prisma, `${TEMPLATES}roster-template.xlsx`, { now: T0 });
  });

  it('imports the list template, upserts by 单位+年度+序号, and deletes items dropped from a unit-year', async () => {
    const s = await importListFile(prisma, `${TEMPLATES}list-template.xlsx`, { now: T0 });
    expect(s).toEqual({ created: 8, updated: 0, deleted: 0, unchanged: 0 });
    const item = await prisma.listItem.findFirstOrThrow({ where: { unit: { code: 'U01' }, year: 2026, seq: 1 } });
    // 2026-03-31 means by the end of that day, Beijing time.
    expect(item.deadline.toISOString()).toBe('2026-03-31T15:59:59.999Z');
    expect(item.responsibleDept).toBe('党建工作办公室');

    const again = await importListFile(prisma, `${TEMPLATES}list-template.csv`, { now: T1 });
    expect(again).toEqual({ created: 0, updated: 0, deleted: 0, unchanged: 8 });
    expect(await prisma.listItem.count()).toBe(8);

    const book = await readBook(`${TEMPLATES}list-template.csv`);
    const sheet = book[0]!;
    sheet.rows = sheet.rows.filter((r) => !(r.cells[0] === 'U01' && r.cells[2] === '5'));
    sheet.rows[0]!.cells[6] = '2026-04-15';
    const p = parseList(book);
    if (!p.ok) throw new Error('parse');
    expect(await importList(prisma, p.value, { now: T1 })).toEqual({ created: 0, updated: 1, deleted: 1, unchanged: 6 });
    expect(await prisma.listItem.count()).toBe(7);
  });

  it('rejects list rows whose unit or responsible person is unknown or elsewhere, writing nothing', async () => {
    const before = await prisma.listItem.count();
    const book = await readBook(`${TEMPLATES}list-template.csv`);
    book[0]!.rows.push({ row: 10, cells: ['U09', '2026', '1', '某事', '', '办公室', '2026-05-01'] });
    book[0]!.rows.push({ row: 11, cells: ['U02', '2026', '1', '某事', 'P0004', '', '2026-05-01'] });
    const p = parseList(book);
    if (!p.ok) throw new Error('parse');
    const err = (await importList(prisma, p.value).catch((e: unknown) => e)) as ImportRejectedError;
    expect(err).toBeInstanceOf(ImportRejectedError);
    expect(err.problems).toEqual([
      expect.objectContaining({ row: 10, column: '单位编号', message: '单位编号「U09」不在名册中，请先导入名册' }),
      expect.objectContaining({ row: 11, column: '责任人编号', message: expect.stringContaining('不是单位 U02 的人员') }),
    ]);
    expect(await prisma.listItem.count()).toBe(before);
  });

  it('imports the projects template and replaces a project timetable on re-import', async () => {
    const s = await importProjectsFile(prisma, `${TEMPLATES}projects-template.xlsx`, { now: T0 });
    expect(s).toEqual({
      projects: { created: 3, updated: 0, unchanged: 0 },
      milestones: { created: 8, updated: 0, deleted: 0, unchanged: 0 },
    });
    const again = await importProjectsFile(prisma, `${TEMPLATES}projects-csv`, { now: T1 });
    expect(again).toEqual({
      projects: { created: 0, updated: 0, unchanged: 3 },
      milestones: { created: 0, updated: 0, deleted: 0, unchanged: 8 },
    });
    expect(await prisma.project.count()).toBe(3);
    expect(await prisma.milestone.count()).toBe(8);

    // Only XM02 of U01, with its second milestone dropped and a new third one (节点 keyed by 项目编号 alone
    // is ambiguous here, so the file names unit and year).
    const book: RawBook = [
      sheetFromArrays('项目', [
        ['单位编号', '年度', '项目编号', '项目名称', '类型', '负责人编号'],
        ['U01', '2026', 'XM02', '村级党群服务中心标准化建设（扩面）', '班子成员项目', 'P0005'],
      ]),
      sheetFromArrays('节点', [
        ['项目编号', '节点序号', '节点内容', '完成时限'],
        ['XM02', '1', '完成 3 个村党群服务中心改造方案', '2026-04-30'],
        ['XM02', '3', '全镇推广', '2026-12-20'],
      ]),
    ];
    const p = parseProjects(book);
    if (!p.ok) throw new Error(JSON.stringify(p.problems));
    expect(await importProjects(prisma, p.value, { now: T1 })).toEqual({
      projects: { created: 0, updated: 1, unchanged: 0 },
      milestones: { created: 1, updated: 0, deleted: 1, unchanged: 1 },
    });
    const xm02 = await prisma.project.findFirstOrThrow({ where: { code: 'XM02' }, include: { milestones: { orderBy: { seq: 'asc' } } } });
    expect(xm02.title).toBe('村级党群服务中心标准化建设（扩面）');
    expect(xm02.milestones.map((m) => m.seq)).toEqual([1, 3]);
    expect(await prisma.milestone.count()).toBe(8);
  });

  it('rejects a 书记项目 whose owner is not the secretary', async () => {
    const book: RawBook = [
      sheetFromArrays('项目', [
        ['单位编号', '年度', '项目编号', '项目名称', '类型', '负责人编号'],
        ['U02', '2026', 'XM01', '某项目', '书记项目', 'P0010'],
      ]),
      sheetFromArrays('节点', [
        ['项目编号', '节点序号', '节点内容', '完成时限'],
        ['XM01', '1', '启动', '2026-04-30'],
      ]),
    ];
    const p = parseProjects(book);
    if (!p.ok) throw new Error(JSON.stringify(p.problems));
    const before = await prisma.project.count();
    const err = (await importProjects(prisma, p.value).catch((e: unknown) => e)) as ImportRejectedError;
    expect(err.problems).toEqual([
      { sheet: '项目', row: 2, column: '负责人编号', message: '书记项目的负责人应为本单位书记，「P0010 郭秀兰」的角色是分管领导' },
    ]);
    expect(await prisma.project.count()).toBe(before);
  });
});
