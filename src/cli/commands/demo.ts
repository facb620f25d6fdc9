import { beijingDay, beijingStartOfDay, workingDayOnOrBefore } from '../../domain/calendar/working-days.js';
import { LarkMessenger } from '../../lark/messenger.js';
import { loadDomainConfig } from '../../ops/domain-config.js';
import { seedDemo } from '../../ops/demo.js';
import { sendDigest } from '../../reminders/send.js';
import { reminderTick } from '../../reminders/tick.js';
import type { Db } from '../../db/client.js';
import type { LarkClient } from '../../lark/client.js';
import type { CliCommand } from './command.js';

/**
 * The running bot tells its sandbox the roster's people every few seconds (src/people/sandbox-roster.ts);
 * wait until the sandbox knows the last of them, so today's cards reach them instead of being refused
 * as unknown users (open_id cross app).
 */
async function sandboxKnowsRoster(db: Db, lark: LarkClient, timeoutMs = 30_000): Promise<void> {
  const last = await db.person.findFirst({ where: { active: true, larkOpenId: { not: null } }, orderBy: { id: 'desc' }, select: { larkOpenId: true } });
  if (!last?.larkOpenId) return;
  for (const until = performance.now() + timeoutMs; performance.now() < until; ) {
    const known = await lark.contact.v3.user.get({ path: { user_id: last.larkOpenId }, params: { user_id_type: 'open_id' } }).then(
      (r) => r.code === 0,
      () => false,
    );
    if (known) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/**
 * `demo [--now ISO]` (npm run demo): the example district with a realistic year so far. When the bot
 * is running (its sandbox answers), today's reminder cards go out at once — as at 10:00 on the last
 * working day — so there is a reminder to reply to.
 */
export const demo: CliCommand = {
  words: ['demo'],
  usage: 'demo [--now ISO]',
  summary: '导入示例区（templates/import）并生成今年到目前为止的真实情况：按时和逾期的报告、逾期事项、督办、督查问题、通知回执，并发出今天的提醒（可重复运行）',
  async run(args, runtime) {
    const now = args.options.now ? new Date(args.options.now) : new Date();
    if (Number.isNaN(now.getTime())) throw new Error('--now 应为时间，例如 2026-11-26T09:00:00+08:00');
    const rt = await runtime();
    const { catalog, calendar } = loadDomainConfig();
    await calendar.refresh(rt.db);
    const r = await seedDemo({ db: rt.db, clock: () => now, catalog: catalog.current }, now);
    console.log(`示例区已就绪：${r.people} 人，${r.obligations} 项责任。`);
    console.log(`已到期的责任：按时完成 ${r.onTime} 项，逾期完成 ${r.late} 项，逾期未完成 ${r.overdue} 项；督查编号 ${r.inspectionId}，通知编号 ${r.noticeId}。`);

    const lark = await rt.lark();
    if (lark) {
      const at = new Date(beijingStartOfDay(workingDayOnOrBefore(beijingDay(now), calendar)).getTime() + 10 * 3600_000);
      const deps = { db: rt.db, catalog, calendar, config: rt.config, log: rt.log };
      if (rt.config.sandbox) await sandboxKnowsRoster(rt.db, lark);
      const tick = await reminderTick(deps, { now: at, staleClaimMs: 60_000 });
      const messenger = new LarkMessenger({ client: lark, db: rt.db, log: rt.log });
      let sent = 0;
      for (const d of [...tick.digests, ...tick.requeued]) {
        const out = await sendDigest({ ...deps, lark, messenger, clock: () => at }, d.id).catch(() => null);
        if (out?.status === 'sent') sent++;
      }
      console.log(`已发出 ${beijingDay(at)} 的提醒卡片 ${sent} 张。`);
    } else {
      console.log('机器人还没有运行：先 npm start，再运行 npm run demo，即可收到今天的提醒卡片。');
    }
    console.log('在沙箱页面选择“梁振华”（镇党委书记）发送 /责任清单 或回复他收到的提醒，选择“陈志明”（区委组织部）发送 /统计。');
  },
};
