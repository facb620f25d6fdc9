import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refusal } from '../../src/access/policy.js';
import { settled, startTestBot, type TestBot } from '../helpers/bot.js';
import { DEMO, DEMO_USERS, seedDistrict } from '../helpers/district.js';

describe('/导出: the assessment workbook as a file message', () => {
  let bot: TestBot;
  const now = new Date('2026-11-25T10:00:00+08:00');

  beforeAll(async () => {
    bot = await startTestBot({ mode: 'webhook', clock: () => now, sandbox: { users: DEMO_USERS } });
    await seedDistrict(bot.db.prisma, 2026, new Date('2026-01-05T09:00:00+08:00'));
  }, 120_000);
  afterAll(async () => bot?.close());

  async function auditOf(messageId: string) {
    for (let i = 0; ; i++) {
      const rows = await bot.db.prisma.auditLog.findMany({ where: { detail: { path: ['messageId'], equals: messageId } } });
      if (rows.length || i >= 50) return rows;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it('OD staff gets a short text and the workbook as a file; the file opens with its seven sheets', async () => {
    const messageId = await bot.sandbox.userSends({ from: DEMO.odStaff.openId, text: '/导出 2026' });
    const file = await bot.sandbox.waitFor((m) => m.parentId === messageId && m.msgType === 'file', 20_000);
    const text = bot.sandbox.sent().find((m) => m.parentId === messageId && m.msgType === 'text')!;
    expect(String((text.content as { text: string }).text)).toContain('2026 年度考核材料');
    expect(String((text.content as { text: string }).text)).toContain('0 条督查发现问题，3 个软弱涣散党组织整顿');
    const key = (file.content as { file_key: string }).file_key;
    expect(key).toBeTruthy();

    // download it as Lark would serve it, and open it
    const res = await bot.app.deps.lark.im.v1.messageResource.get({ path: { message_id: file.messageId, file_key: key }, params: { type: 'file' } });
    const chunks: Buffer[] = [];
    for await (const c of res.getReadableStream()) chunks.push(c as Buffer);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.concat(chunks) as unknown as ArrayBuffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['按单位', '按责任人', '按责任类型', '报告明细', '述职材料', '督查整改', '软弱涣散整顿']);
    expect(await auditOf(messageId)).toEqual([expect.objectContaining({ action: 'command:export', result: 'ok' })]);
    // recorded as sent, once (the audit row is written after the send returns)
    const out = await bot.db.prisma.outboundMessage.findMany({ where: { msgType: 'file' } });
    expect(out).toEqual([expect.objectContaining({ purpose: 'reply', status: 'SENT' })]);
  });

  it('@bot /导出 in a group: the workbook and its summary go to the asker privately; the group gets one line saying so', async () => {
    const od = DEMO.odStaff.openId;
    const group = bot.sandbox.createGroup({ name: '混合工作群', memberOpenIds: [od, DEMO.member.openId], botIsMember: true });
    const messageId = await bot.sandbox.userSends({ from: od, chatId: group, text: '/导出 2026', mentionBot: true });
    const file = await bot.sandbox.waitFor((m) => m.msgType === 'file' && m.chatId === bot.sandbox.p2pChatId(od), 20_000);
    expect(file.toOpenId).toBe(od);
    const notice = await bot.sandbox.waitFor((m) => m.chatId === group && m.parentId === messageId, 10_000);
    expect((notice.content as { text: string }).text).toContain('已私信发给您');
    await settled(bot);
    const inGroup = bot.sandbox.sent({ chatId: group });
    expect(inGroup.map((m) => m.msgType)).toEqual(['text']);
    expect(JSON.stringify(inGroup)).not.toContain('考核材料');
    expect(bot.sandbox.sent().filter((m) => m.chatId === bot.sandbox.p2pChatId(od) && JSON.stringify(m.content).includes('2026 年度考核材料')).length).toBeGreaterThanOrEqual(2);

    // The district's figures likewise; a unit's figures may stay in its group.
    const stats = await bot.sandbox.userSends({ from: od, chatId: group, text: '/统计 全区', mentionBot: true });
    await bot.sandbox.waitFor((m) => m.chatId === bot.sandbox.p2pChatId(od) && JSON.stringify(m.content).includes('全区党建责任统计'), 10_000);
    await bot.sandbox.waitFor((m) => m.chatId === group && m.parentId === stats, 10_000);
    await settled(bot);
    expect(JSON.stringify(bot.sandbox.sent({ chatId: group }))).not.toContain('全区党建责任统计');
  });

  it('a member is refused, with an audit deny row, and no file is sent', async () => {
    const messageId = await bot.sandbox.userSends({ from: DEMO.member.openId, text: '/export' });
    const reply = await bot.sandbox.waitFor((m) => m.parentId === messageId, 10_000);
    expect((reply.content as { text: string }).text).toBe(refusal('export'));
    expect(await auditOf(messageId)).toEqual([expect.objectContaining({ actorId: DEMO.member.openId, action: 'command:export', result: 'deny' })]);
    expect(bot.sandbox.sent().filter((m) => m.msgType === 'file')).toHaveLength(2);
  });
});
