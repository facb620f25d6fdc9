// The duty catalog changed by the OD in chat: the catalog file sent to the bot → preview of the diff
// → 确认 → a new version in PostgreSQL, in force in a second running replica without a restart.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { findRule } from '../../src/domain/duties/catalog.js';
import { projectPath } from '../../src/paths.js';
import { botReply, settled, startReplica, startTestBot, until, type TestBot } from '../helpers/bot.js';
import { DEMO, DEMO_USERS, seedDistrict } from '../helpers/district.js';

describe('the duty catalog, changed by the OD in chat', () => {
  let bot: TestBot;
  let replica: App;
  const now = new Date('2026-11-25T10:00:00+08:00');
  const od = DEMO.odStaff.openId;

  beforeAll(async () => {
    bot = await startTestBot({ clock: () => now, sandbox: { users: DEMO_USERS }, env: { CONFIG_REFRESH_SECONDS: '0.2' } });
    await seedDistrict(bot.db.prisma, 2026, new Date('2026-10-20T09:00:00+08:00'));
    replica = await startReplica(bot);
  });
  afterAll(async () => {
    await replica?.close(1000);
    await bot?.close();
  });

  it('lists the duties with /职责', async () => {
    const c = JSON.stringify((await botReply(bot, DEMO.secretary.openId, '/职责')).content);
    expect(c).toContain('党建责任目录');
    expect(c).toContain('初始版本');
    expect(c).toContain('LIAISON_VISIT_SECRETARY');
  });

  it('previews a changed catalog file as a diff, applies it on 确认, and a second replica uses it without restart', async () => {
    const file = JSON.parse(readFileSync(projectPath('config', 'duty-catalog.json'), 'utf8'));
    const rule = file.rules.find((r: { code: string }) => r.code === 'LIAISON_VISIT_SECRETARY');
    rule.reminders = { ...(rule.reminders ?? {}), beforeWorkingDays: [3, 1] };
    const sent = await bot.sandbox.userSends({ from: od, file: { fileName: 'duty-catalog.json', bytes: Buffer.from(JSON.stringify(file, null, 2)) } });
    const preview = await bot.sandbox.waitFor((m) => m.parentId === sent, 15_000);
    const t = JSON.stringify(preview.content);
    expect(t).toContain('责任目录修改预览');
    expect(t).toContain('新增 0，删除 0，修改 1');
    expect(t).toMatch(/LIAISON_VISIT_SECRETARY）：提醒 .*beforeWorkingDays.*→/);
    expect(findRule(replica.deps.catalog.current, 'LIAISON_VISIT_SECRETARY')!.reminders.beforeWorkingDays).not.toEqual([3, 1]);

    const change = await bot.db.prisma.pendingChange.findFirstOrThrow({ where: { kind: 'catalog' } });
    const click = () => bot.sandbox.userClicks({ from: od, messageId: preview.messageId, value: { action: 'catalog.confirm', changeId: change.id, hash: change.contentHash } });
    await Promise.all([click(), click()]);
    await until('the replica to pick up the new catalog', () => findRule(replica.deps.catalog.current, 'LIAISON_VISIT_SECRETARY')!.reminders.beforeWorkingDays.join() === '3,1');
    await settled(bot); // both clicks handled
    expect(await bot.db.prisma.catalogVersion.count()).toBe(1);
    expect(await bot.db.prisma.auditLog.count({ where: { action: 'catalog.confirm', result: 'ok' } })).toBe(1);
    const c = JSON.stringify((await botReply(bot, DEMO.secretary.openId, '/职责')).content);
    expect(c).toContain(`第 1 版，${DEMO.odStaff.name} 于 2026-11-25 修改`);
    expect(c).toContain('截止前 3、1 个工作日');
  });

  it('refuses a catalog file with a mistake, naming its line, and stores nothing', async () => {
    const text = readFileSync(projectPath('config', 'duty-catalog.json'), 'utf8').replace('"count": 1', '"count": 0');
    const sent = await bot.sandbox.userSends({ from: od, file: { fileName: 'duty-catalog.json', bytes: Buffer.from(text) } });
    const answer = await bot.sandbox.waitFor((m) => m.parentId === sent, 15_000);
    expect(answer.content.text).toContain('责任目录文件有误，未保存');
    expect(answer.content.text).toMatch(/第 \d+ 行/);
    expect(await bot.db.prisma.catalogVersion.count()).toBe(1);
  });
});
