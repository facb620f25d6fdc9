// Reliability §7.19: 50 messages to one group, end to end through the bot: 50 members each ask the bot
// in the same group; Lark (the sandbox, 5 per second per chat like Lark) counts every refusal.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settled, startTestBot, until, type TestBot } from '../helpers/bot.js';

const N = 50;
const USERS = Array.from({ length: N }, (_, i) => ({ openId: `ou_pace_${String(i).padStart(3, '0')}`, name: `成员${i + 1}` }));

/** The largest number of instants in any one-second window. */
function maxPerSecond(times: number[]): number {
  const s = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < s.length; i++) {
    while (s[i]! - s[j]! >= 1000) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

describe('reliability §7.19: one group, many messages', () => {
  let bot: TestBot;
  beforeAll(async () => {
    bot = await startTestBot({ sandbox: { users: USERS } });
  });
  afterAll(async () => bot?.close());

  it('reliability §7.19: 50 messages to the same group are delivered at ≤ 5 per second, each once, with zero 429s and zero per-chat refusals (order: not yet)', async () => {
    const group = bot.sandbox.createGroup({ name: '党建工作群', memberOpenIds: USERS.map((u) => u.openId), botIsMember: true });
    const asked: string[] = [];
    for (const u of USERS) asked.push(await bot.sandbox.userSends({ from: u.openId, chatId: group, text: '帮助', mentionBot: true }));
    await until('50 replies in the group', () => bot.sandbox.sent({ chatId: group }).length >= N, 60_000);
    await settled(bot);
    const replies = bot.sandbox.sent({ chatId: group });
    const stats = bot.sandbox.stats();
    console.log(`§7.19: ${replies.length} replies in ${replies.at(-1)!.at - replies[0]!.at} ms, at most ${maxPerSecond(replies.map((m) => m.at))} in any second; refused by Lark: ${stats.rateLimited} (429: ${stats.appRateLimited})`);
    expect(replies.map((m) => m.parentId).sort()).toEqual([...asked].sort()); // each asked once
    expect([stats.rateLimited, stats.appRateLimited]).toEqual([0, 0]);
    expect(maxPerSecond(replies.map((m) => m.at))).toBeLessThanOrEqual(5);
    // Not yet checked: that they go out in the order asked. With 8 jobs at once and waiters on the pacer
    // not served first come first served, some answers overtake others (issue 12, §7.19 "in order").
  }, 120_000);
});
