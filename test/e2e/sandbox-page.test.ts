// The sandbox's web chat page in headless Chromium, talking to the project's own bot (startTestBot: the
// app from src/ on PostgreSQL and Redis, the example district): a user sees the bot's reminder card,
// answers it in its thread, opens a report form, is stopped on a missing field, submits it, sees a chart
// card in a group where only @机器人 reaches the bot, and a user added in the page is found by the bot's
// contact lookup. Without /usr/bin/chromium every test here fails and says how to install it.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { larkIdResolver } from '../../src/import/lark-resolve.js';
import { runReminderTick } from '../../src/reminders/tick.js';
import { settled, startTestBot, type TestBot } from '../helpers/bot.js';
import { launchChromium, openChatAs } from '../helpers/chromium.js';
import { DEMO, DEMO_USERS, seedDistrict } from '../helpers/district.js';

describe('sandbox web chat page (headless Chromium) with the real bot', () => {
  let bot: TestBot;
  let browser: Browser;
  const now = new Date('2026-11-25T10:00:00+08:00');
  const deputy = DEMO.deputy;

  beforeAll(async () => {
    browser = await launchChromium();
    bot = await startTestBot({ clock: () => now, sandbox: { users: DEMO_USERS } });
    await seedDistrict(bot.db.prisma, 2026, new Date('2026-10-20T09:00:00+08:00'));
  });
  afterAll(async () => {
    await browser?.close();
    await bot?.close();
  });

  const reportsOf = async (ruleCode: string) => {
    const p = await bot.db.prisma.person.findUniqueOrThrow({ where: { code: deputy.code } });
    return bot.db.prisma.report.findMany({ where: { obligation: { personId: p.id, ruleCode } } });
  };
  const send = async (page: Page, text: string) => {
    await page.fill('#input', text);
    await page.press('#input', 'Enter');
  };

  it("shows the day's reminder card; a reply in its thread becomes the duty's report", async () => {
    const page = await openChatAs(browser, bot.sandbox.pageUrl, deputy.openId);
    await runReminderTick(bot.app.deps, { now });
    const reminder = page.locator('.msg.bot', { has: page.locator('.card-header', { hasText: '党建责任逾期提醒' }) });
    await reminder.waitFor();
    await expect.poll(() => reminder.textContent()).toContain('改造完成并投入使用');
    expect(await reminder.getByRole('button', { name: '填写报告' }).count()).toBe(1);

    await reminder.locator('.reply-link').click();
    await page.locator('#reply-bar').waitFor();
    await send(page, '11月20日党群服务中心改造完成，已投入使用');
    // The user's message quotes the card; the bot answers it in the thread, quoting the user.
    await page.locator('.msg.mine .quote', { hasText: '回复 党建助手' }).waitFor();
    const confirm = page.locator('.msg.bot', { hasText: '已记录完成情况' });
    await confirm.waitFor();
    expect(await confirm.locator('.quote').textContent()).toContain(`回复 ${deputy.name}`);
    expect(await confirm.textContent()).toContain('改造完成并投入使用');

    await settled(bot);
    const rows = await reportsOf('PROJECT_MILESTONE');
    expect(rows).toHaveLength(1);
    expect(rows[0]!.text).toContain('党群服务中心改造完成');
    await page.screenshot({ path: '/tmp/sandbox-page.png', fullPage: true });
    await page.close();
  });

  it('/汇报 offers the open duties; 填写报告 opens the form, a missing field is stopped in the page, the submitted form is stored', async () => {
    const page = await openChatAs(browser, bot.sandbox.pageUrl, deputy.openId);
    await send(page, '/汇报');
    const pick = page.locator('.msg.bot .card').filter({ has: page.locator('.card-header', { hasText: '请选择要汇报的责任' }) }).last();
    await pick.waitFor();
    // The duty's 填写报告 button follows its title.
    const visit = pick.locator('.btn', { hasText: '填写报告' }).first();
    expect(await pick.textContent()).toContain('深入基层联系点具体指导');
    await visit.click();

    const form = page.locator('.msg.bot .card').filter({ has: page.locator('.card-header', { hasText: '填写完成情况' }) }).last();
    await form.waitFor();
    await form.getByRole('button', { name: '提交' }).click();
    await form.locator('.form-error', { hasText: '请填写必填项' }).waitFor();

    const org = await bot.db.prisma.grassrootsOrg.findUniqueOrThrow({ where: { code: 'G0101' } });
    await form.locator('input[data-name="visitDate"]').fill('2026-11-18');
    await form.locator('select[data-name="liaisonPoint"]').selectOption(String(org.id));
    await form.locator('[data-name="problemsFound"]').fill('组织生活不规范');
    await form.locator('[data-name="problemsSolved"]').fill('指导制定整改计划');
    await form.getByRole('button', { name: '提交' }).click();
    await page.locator('.msg.bot', { hasText: '已记录完成情况' }).filter({ hasText: '东岸镇新围村党委' }).waitFor();

    await settled(bot);
    const rows = await reportsOf('LIAISON_VISIT_LEADER');
    expect(rows).toHaveLength(1);
    expect(rows[0]!.fields).toMatchObject({ visitDate: '2026-11-18', liaisonPoint: { id: org.id }, problemsFound: '组织生活不规范', problemsSolved: '指导制定整改计划' });
    await page.close();
  });

  it('in a group only messages that @机器人 reach the bot; /统计 there is answered with a chart the page draws', async () => {
    const sec = DEMO.secretary;
    const group = bot.sandbox.createGroup({ name: '东岸镇党委班子', memberOpenIds: [sec.openId, deputy.openId] });
    const page = await openChatAs(browser, bot.sandbox.pageUrl, sec.openId);
    await page.locator('#chat-list li', { hasText: '东岸镇党委班子' }).click();
    await expect.poll(() => page.textContent('#chat-header')).toContain('何丽娟');

    await send(page, '/统计');
    await page.locator('.status.not_delivered').waitFor();
    await page.click('#mention-btn');
    await page.type('#input', '/统计');
    await page.press('#input', 'Enter');
    const stats = page.locator('.msg.bot .card').filter({ has: page.locator('.card-chart canvas') });
    await stats.first().waitFor({ timeout: 20_000 });

    // Once the bot is idle and every event it received is handled: one answer in the group, to the @ message.
    await settled(bot);
    expect(bot.sandbox.sent().filter((m) => m.chatId === group)).toHaveLength(1);
    await page.screenshot({ path: '/tmp/sandbox-page-group.png', fullPage: true });
    await page.close();
  });

  it('a user added in the page is found by mobile through the bot\'s contact lookup, and the bot tells them they are not on the roster', async () => {
    const page = await openChatAs(browser, bot.sandbox.pageUrl, deputy.openId);
    await page.click('text=＋ 添加用户');
    await page.fill('#user-name', '赵六');
    await page.fill('#user-mobile', '13900000066');
    await page.click('#user-form button[type="submit"]');
    await page.locator('.toast', { hasText: '已添加用户' }).waitFor();
    const option = page.locator('#user-select option', { hasText: '赵六' });
    await expect.poll(() => option.count()).toBe(1);
    const openId = (await option.getAttribute('value'))!;

    const found = await larkIdResolver(bot.app.deps.lark)(['13900000066'], []);
    expect(found.get('13900000066')).toBe(openId);

    await page.selectOption('#user-select', openId);
    await page.locator('#chat-header', { hasText: '单聊' }).waitFor();
    await send(page, '/我的信息');
    await expect.poll(() => page.locator('.msg.bot').last().textContent()).toContain('花名册');
    await page.close();
  });
});
