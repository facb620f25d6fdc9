// Headless Chromium for the tests that drive the sandbox's web chat page. A missing browser fails the
// test with how to install it: it never skips, or the page would go untested without anyone noticing.
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: the sandbox page tests run the page in headless Chromium. Install it (apt-get install -y chromium) and run again.`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** A new tab on the sandbox page at `pageUrl`, logged in as `openId`, in their private chat with the bot. Page errors are printed. */
export async function openChatAs(browser: Browser, pageUrl: string, openId: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  page.on('pageerror', (e) => console.error('page error:', e));
  await page.goto(pageUrl);
  await page.selectOption('#user-select', openId);
  await page.locator('#chat-header', { hasText: '单聊' }).waitFor();
  return page;
}
