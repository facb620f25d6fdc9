// The sandbox's web chat page sends a file to the bot (headless Chromium): an OD clerk picks the
// roster workbook in the page and the real bot answers with the import preview, as in Lark.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectPath } from '../../src/paths.js';
import { startTestBot, type TestBot } from '../helpers/bot.js';
import { launchChromium, openChatAs } from '../helpers/chromium.js';

const OD = 'ou_page_od';

describe('sandbox page: sending a file to the bot', () => {
  let bot: TestBot;
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchChromium();
    bot = await startTestBot({ sandbox: { users: [{ openId: OD, name: '组织部小王' }] } });
    const unit = await bot.db.prisma.unit.create({ data: { code: 'U00', name: '区委组织部', kind: 'OD' } });
    await bot.db.prisma.person.create({ data: { code: 'P0001', name: '组织部小王', unitId: unit.id, role: 'OD_STAFF', larkOpenId: OD } });
  });
  afterAll(async () => {
    await browser?.close();
    await bot?.close();
  });

  it('uploads the roster workbook from the page; the bot answers with the preview, shown in the page', async () => {
    const page = await openChatAs(browser, bot.sandbox.pageUrl, OD);

    await page.setInputFiles('#file-input', projectPath('templates', 'import', 'roster-template.xlsx'));
    await expect.poll(() => page.textContent('#messages'), { timeout: 20_000 }).toContain('导入预览 · 花名册');
    expect(await page.textContent('#messages')).toContain('[文件] roster-template.xlsx');
    const sent = bot.sandbox.sent().find((m) => JSON.stringify(m.content).includes('导入预览 · 花名册'));
    expect(JSON.stringify(sent!.content)).toContain('**单位**：新增 4');
  });
});
