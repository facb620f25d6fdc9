// Imports by sending the file to the bot, end to end through the sandbox and the real SDK: a roster
// .xlsx and a CSV .zip → preview card with the exact diff → 确认导入 (twice) → one import, duties
// planned; a file with three mistakes → one reply listing all three, nothing written; a non-OD
// sender → refused and audited; an oversized or non-spreadsheet file → a clear answer; /模板.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectPath } from '../../src/paths.js';
import type { SentMessage } from '../../src/sandbox/index.js';
import { botReply, settled, startTestBot, until, type TestBot } from '../helpers/bot.js';
import { DEMO, DEMO_USERS, seedDistrict } from '../helpers/district.js';

const TEMPLATES = projectPath('templates', 'import');
const text = (m: SentMessage) => JSON.stringify(m.content);

/** The example roster workbook with `edit` applied to its sheets (rows as arrays of cell texts). */
async function rosterXlsx(edit: (sheets: Map<string, string[][]>) => void): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(path.join(TEMPLATES, 'roster-template.xlsx'));
  const sheets = new Map<string, string[][]>();
  wb.eachSheet((ws) => {
    const rows: string[][] = [];
    ws.eachRow((row) => rows.push((row.values as unknown[]).slice(1).map((v) => (v === null || v === undefined ? '' : String(v)))));
    sheets.set(ws.name, rows);
  });
  edit(sheets);
  const out = new ExcelJS.Workbook();
  for (const [name, rows] of sheets) out.addWorksheet(name).addRows(rows);
  return Buffer.from(await out.xlsx.writeBuffer());
}

describe('imports by sending the file to the bot', () => {
  let bot: TestBot;
  const now = new Date('2026-11-25T10:00:00+08:00');
  const od = DEMO.odStaff.openId;
  const NEWCOMER = 'ou_demo_0099';

  beforeAll(async () => {
    bot = await startTestBot({ clock: () => now, sandbox: { users: [...DEMO_USERS, { openId: NEWCOMER, name: '新同志' }] } });
    await seedDistrict(bot.db.prisma, 2026, new Date('2026-10-20T09:00:00+08:00'));
  });
  afterAll(async () => bot?.close());

  const send = async (from: string, fileName: string, bytes: Buffer) => {
    const id = await bot.sandbox.userSends({ from, file: { fileName, bytes } });
    return bot.sandbox.waitFor((m) => m.parentId === id, 15_000);
  };

  it('lists every mistake of a file in one reply and writes nothing', async () => {
    const people = await bot.db.prisma.person.count();
    const bytes = await rosterXlsx((s) => {
      const persons = s.get('人员')!;
      persons[4]![3] = '村长'; // P0004: no such role
      persons[5]![2] = 'U99'; // P0005: no such unit
      s.get('联系点')!.push(['P0006', 'G9999']); // no such org
    });
    const answer = await send(od, '花名册.xlsx', bytes);
    expect(answer.content.text).toContain('发现 3 处问题，未写入任何数据');
    expect(answer.content.text).toContain('村长');
    expect(answer.content.text).toContain('U99');
    expect(answer.content.text).toContain('G9999');
    expect(await bot.db.prisma.pendingChange.count()).toBe(0);
    expect(await bot.db.prisma.person.count()).toBe(people);
  });

  it('previews the exact change of a roster .xlsx, imports it once on a double confirm, and plans the duties', async () => {
    const bytes = await rosterXlsx((s) => {
      const persons = s.get('人员')!;
      const at = (code: string) => persons.findIndex((r) => r[0] === code);
      persons.splice(at('P0004'), 1); // the secretary leaves
      persons[at('P0005')]![3] = '书记'; // his deputy succeeds him
      persons.push(['P0099', '新同志', 'U01', '班子成员', '镇党委委员', NEWCOMER]);
      const points = s.get('联系点')!;
      points.splice(points.findIndex((r) => r[0] === 'P0004'), 1);
    });
    const preview = await send(od, '花名册（换届）.xlsx', bytes);
    const t = text(preview);
    expect(t).toContain('导入预览 · 花名册');
    expect(t).toContain('**人员**：新增 1，变更 1，停用 1');
    expect(t).toContain('＋ 新同志（P0099）');
    expect(t).toContain('～ 何丽娟（P0005）：角色 分管领导（直接责任人）→书记（第一责任人）');
    expect(t).toContain('－ 梁振华（P0004）');
    expect(t).toContain('**联系点**：新增 0，取消 1');
    // The leaver's open duties: the role's go to his successor, his own liaison visits are cancelled.
    const leaver = await bot.db.prisma.person.findUniqueOrThrow({ where: { code: 'P0004' } });
    const successor = await bot.db.prisma.person.findUniqueOrThrow({ where: { code: 'P0005' } });
    const open = await bot.db.prisma.obligation.findMany({ where: { personId: leaver.id, status: 'OPEN' } });
    const visits = open.filter((o) => o.ruleCode === 'LIAISON_VISIT_SECRETARY');
    const role = open.filter((o) => o.ruleCode !== 'LIAISON_VISIT_SECRETARY' && o.ruleCode !== 'PROJECT_MILESTONE');
    expect(visits.length).toBeGreaterThan(0);
    expect(role.length).toBeGreaterThan(0);
    expect(t).toContain(`→ 梁振华「${role[0]!.title}」移交 **何丽娟**`);
    expect(t).toContain(`× 梁振华「${visits[0]!.title}」取消（离任`);
    // A preview writes nothing.
    expect((await bot.db.prisma.person.findUniqueOrThrow({ where: { code: 'P0004' } })).active).toBe(true);

    const change = await bot.db.prisma.pendingChange.findFirstOrThrow({ where: { kind: 'roster', status: 'PENDING' } });
    const click = () => bot.sandbox.userClicks({ from: od, messageId: preview.messageId, value: { action: 'import.confirm', changeId: change.id, hash: change.contentHash, kind: 'roster' } });
    await Promise.all([click(), click()]);
    await until('both answers to the preview', () => bot.sandbox.sent().filter((m) => m.parentId === preview.messageId).length === 2);
    await settled(bot); // a third answer or a second import would be counted below
    const replies = bot.sandbox.sent().filter((m) => m.parentId === preview.messageId);
    const done = replies.filter((m) => m.content.text?.startsWith('花名册导入完成'));
    expect(done).toHaveLength(1);
    expect(done[0]!.content.text).toContain('人员：新增 1，更新 1，停用 1');
    expect(done[0]!.content.text).toMatch(/移交接任者 [1-9]\d* 项，取消 [1-9]\d* 项/);
    expect(replies.filter((m) => m.content.text?.includes('不会重复执行'))).toHaveLength(1);
    expect(await bot.db.prisma.auditLog.count({ where: { action: 'import.confirm', result: 'ok' } })).toBe(1);

    const db = bot.db.prisma;
    expect((await db.person.findUniqueOrThrow({ where: { code: 'P0004' } })).active).toBe(false);
    expect((await db.person.findUniqueOrThrow({ where: { code: 'P0005' } })).role).toBe('SECRETARY');
    // Succession: nothing open stays with the leaver; the role's duties are the successor's now.
    expect(await db.obligation.count({ where: { personId: leaver.id, status: 'OPEN' } })).toBe(0);
    for (const o of role) expect((await db.obligation.findUniqueOrThrow({ where: { id: o.id } })).personId).toBe(successor.id);
    for (const o of visits) expect((await db.obligation.findUniqueOrThrow({ where: { id: o.id } })).status).toBe('CANCELLED');
    const transfers = await db.obligationTransfer.findMany({ where: { fromPersonId: leaver.id } });
    expect(transfers.filter((x) => x.toPersonId === successor.id)).toHaveLength(role.length);
    expect(transfers.filter((x) => x.toPersonId === null).every((x) => x.reason.startsWith('离任'))).toBe(true);
    // Both are told.
    const told = async (openId: string, what: string) => bot.sandbox.waitFor((m) => m.toOpenId === openId && String(m.content.text ?? '').includes(what));
    await told(DEMO.secretary.openId, `已移交给 何丽娟`);
    await told(DEMO.deputy.openId, `由 梁振华 移交给您`);
    const newcomer = await db.person.findUniqueOrThrow({ where: { code: 'P0099' } });
    expect(await db.obligation.count({ where: { personId: newcomer.id, status: 'OPEN' } })).toBeGreaterThan(0);
  });

  it('binds 确认导入 to the previewed file: a button of one preview does not confirm another file', async () => {
    const a = await send(od, 'a.xlsx', await rosterXlsx((s) => (s.get('单位')![5]![1] = '区民政局党组（甲）')));
    const b = await send(od, 'b.xlsx', await rosterXlsx((s) => (s.get('单位')![5]![1] = '区民政局党组（乙）')));
    expect(text(a)).toContain('区民政局党组（甲）');
    expect(text(b)).toContain('区民政局党组（乙）');
    const [ca, cb] = await bot.db.prisma.pendingChange.findMany({ where: { status: 'PENDING' }, orderBy: { id: 'asc' } });
    await bot.sandbox.userClicks({ from: od, messageId: a.messageId, value: { action: 'import.confirm', changeId: ca!.id, hash: cb!.contentHash, kind: 'roster' } });
    const answer = await bot.sandbox.waitFor((m) => m.parentId === a.messageId);
    expect(answer.content.text).toContain('与预览的内容不符');
    expect(await bot.db.prisma.unit.count({ where: { name: { startsWith: '区民政局党组（' } } })).toBe(0);
    // 取消 leaves everything as it was.
    await bot.sandbox.userClicks({ from: od, messageId: b.messageId, value: { action: 'change.cancel', changeId: cb!.id, hash: cb!.contentHash } });
    expect((await bot.sandbox.waitFor((m) => m.parentId === b.messageId)).content.text).toBe('已取消，没有做任何更改。');
  });

  it('imports a .zip of the CSV folder the same way', async () => {
    const zip = new JSZip();
    const dir = path.join(TEMPLATES, 'roster-csv');
    for (const name of await readdir(dir)) {
      let csv = await readFile(path.join(dir, name), 'utf8');
      if (name === '单位.csv') csv = csv.replace('区民政局党组', '区民政局机关党委');
      zip.file(`花名册/${name}`, csv);
    }
    const preview = await send(od, '花名册.zip', await zip.generateAsync({ type: 'nodebuffer' }));
    expect(text(preview)).toContain('～ 区民政局机关党委（U04）：名称 区民政局党组→区民政局机关党委');
    const change = await bot.db.prisma.pendingChange.findFirstOrThrow({ where: { fileName: '花名册.zip' } });
    await bot.sandbox.userClicks({ from: od, messageId: preview.messageId, value: { action: 'import.confirm', changeId: change.id, hash: change.contentHash, kind: 'roster' } });
    const done = await bot.sandbox.waitFor((m) => m.parentId === preview.messageId, 15_000);
    expect(done.content.text).toContain('花名册导入完成');
    expect((await bot.db.prisma.unit.findUniqueOrThrow({ where: { code: 'U04' } })).name).toBe('区民政局机关党委');
  });

  it('refuses a file from someone outside the OD and audits it; answers an oversized or non-spreadsheet file clearly', async () => {
    const sec = DEMO.otherSecretary.openId;
    const bytes = await readFile(path.join(TEMPLATES, 'roster-template.xlsx'));
    const refusal = await send(sec, '花名册.xlsx', bytes);
    expect(refusal.content.text).toContain('导入文件仅限区委组织部工作人员发送');
    expect(await bot.db.prisma.auditLog.count({ where: { actorId: sec, action: 'file.receive', result: 'deny' } })).toBe(1);

    const big = await send(od, '大花名册.xlsx', Buffer.alloc(10 * 1024 * 1024 + 1, 1));
    expect(big.content.text).toContain('超过 10 MB，未处理');
    const pdf = await send(od, '通知.pdf', Buffer.from('%PDF-1.4'));
    expect(pdf.content.text).toContain('无法处理这个文件：请发送花名册、责任清单或党建项目的 Excel 工作簿（.xlsx）');
  });

  it('/模板 sends the three templates as files', async () => {
    const intro = await botReply(bot, od, '/模板');
    expect(intro.content.text).toContain('三种导入模板');
    await until('the three template files', () => bot.sandbox.sent().filter((m) => m.parentId === intro.parentId && m.msgType === 'file').length === 3);
  });
});
