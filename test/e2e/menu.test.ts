// The bot menu (application.bot.menu_v6, pushed by the sandbox as Lark does): each entry runs its
// command in the 1:1 chat; OD entries are refused to others; an unknown key gets a hint.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MENU } from '../../src/bot/menu.js';
import type { SentMessage } from '../../src/sandbox/index.js';
import { settled, startTestBot, until, type TestBot } from '../helpers/bot.js';
import { DEMO, DEMO_USERS, seedDistrict } from '../helpers/district.js';

const text = (m: SentMessage) => JSON.stringify(m.content);

describe('the bot menu', () => {
  let bot: TestBot;
  const now = new Date('2026-11-25T10:00:00+08:00');

  beforeAll(async () => {
    bot = await startTestBot({ clock: () => now, sandbox: { users: DEMO_USERS } });
    await seedDistrict(bot.db.prisma, 2026, new Date('2026-10-20T09:00:00+08:00'));
  });
  afterAll(async () => bot?.close());

  const click = async (from: string, eventKey: string) => {
    const before = bot.sandbox.sent({ toOpenId: from }).length;
    await bot.sandbox.userClicksMenu({ from, eventKey });
    await until(`an answer to menu ${eventKey}`, () => bot.sandbox.sent({ toOpenId: from }).length > before);
    return bot.sandbox.sent({ toOpenId: from }).slice(before);
  };

  it('runs 我的待办, 责任清单 and 帮助 in the 1:1 chat, audited as commands from the menu', async () => {
    const sec = DEMO.secretary.openId;
    expect(text((await click(sec, 'todo'))[0]!)).toContain('待办');
    expect(text((await click(sec, 'duties'))[0]!)).toContain('责任清单');
    expect(text((await click(sec, 'help'))[0]!)).toContain('/日历');
    await settled(bot); // each audit row is written after its answer is sent
    const rows = await bot.db.prisma.auditLog.findMany({ where: { actorId: sec, action: { in: ['command:todo', 'command:duties', 'command:help'] } } });
    expect(rows.map((r) => (r.detail as { via?: string }).via)).toEqual(['menu', 'menu', 'menu']);
  });

  it('gives the OD 通知 and 导入说明, refuses 通知 to a secretary, and hints on an unknown key', async () => {
    expect(text((await click(DEMO.odStaff.openId, 'notice'))[0]!)).toContain('notice_form');
    expect((await click(DEMO.odStaff.openId, 'import_help'))[0]!.content.text).toContain('发送 /模板 获取');
    expect((await click(DEMO.secretary.openId, 'notice'))[0]!.content.text).toBe('只有区委组织部工作人员可以发布通知。');
    expect((await click(DEMO.secretary.openId, 'nope'))[0]!.content.text).toContain('这个菜单项暂不可用');
    expect(MENU.map((m) => m.label)).toEqual(['我的待办', '汇报', '责任清单', '帮助', '统计', '通知', '导入说明']);
  });
});
