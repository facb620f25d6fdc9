import { beijingDay, beijingTime, workingDaysBetween, type WorkingCalendar } from '../../domain/calendar/working-days.js';
import { LarkMessenger } from '../../lark/messenger.js';
import { dayZh } from '../../obligations/describe.js';
import { loadDomainConfig } from '../../ops/domain-config.js';
import { sendDigest, type SendOutcome } from '../../reminders/send.js';
import { reminderTick, type ClaimedDigest, type TickResult } from '../../reminders/tick.js';
import type { CliCommand } from './command.js';

/**
 * The stage as the card reads on the day it goes out: a before-N row moved to a later day (the bot
 * started mid-period) says the working days actually left, not the N it was planned for.
 */
function stageZh(stage: string, day: string, dueAt: Date, cal: WorkingCalendar): string {
  if (stage === 'overdue') return '逾期提醒';
  if (stage === 'escalate') return '逾期督办';
  const left = workingDaysBetween(day, beijingDay(dueAt), cal);
  return left <= 0 ? '截止当天' : `截止前 ${left} 个工作日`;
}

const OUTCOME_ZH: Record<SendOutcome['status'], string> = {
  sent: '已发送',
  'already-sent': '此前已发送（未重复发送）',
  skipped: '未发送（卡片上的责任都已完成或取消）',
  failed: '发送失败',
  'not-claimed': '未发送（不在待发状态）',
};

/** `tick --at <ISO> [--dry-run]`: one run of the reminder planner at that instant, printed. */
export const remindersTick: CliCommand = {
  words: ['tick'],
  usage: 'tick [--at <时间，如 2026-11-23T10:00:00+08:00>] [--dry-run]',
  summary: '按该时刻运行一次提醒计划，列出并发送当天应发的提醒卡片（--dry-run 只列出，不发送、不改数据库）',
  async run(args, runtime) {
    const at = args.options.at ? new Date(args.options.at) : new Date();
    if (Number.isNaN(at.getTime())) throw new Error('--at 应为时间，例如 2026-11-23T10:00:00+08:00');
    const dryRun = args.options['dry-run'] === 'true';
    const rt = await runtime();
    const { catalog, calendar } = loadDomainConfig();
    await calendar.refresh(rt.db); // the years OD staff entered in chat
    const lark = dryRun ? undefined : await rt.lark();
    if (!dryRun && !lark) throw new Error('连不上 Lark（本地沙箱未运行？请先 npm start，或配置 LARK_APP_ID）；只看计划可加 --dry-run');

    const deps = { db: rt.db, catalog, calendar, config: rt.config, log: rt.log };
    const r = await reminderTick(deps, { now: at, dryRun, describe: true, staleClaimMs: 60_000 });
    console.log(header(r, rt.config.workHours));
    const all = [...r.digests, ...r.requeued];
    if (!r.sending) return;
    if (!all.length) {
      console.log('今天没有需要发送的提醒。');
      return;
    }
    console.log(dryRun ? `将发送 ${all.length} 张卡片（试运行：未发送，数据库未改动）：` : `发送 ${all.length} 张卡片：`);
    const messenger = lark ? new LarkMessenger({ client: lark, db: rt.db, log: rt.log }) : undefined;
    for (const d of all) {
      console.log(describeDigest(d, r.requeued.includes(d), calendar));
      if (!messenger || !lark) continue;
      const out = await sendDigest({ ...deps, lark, messenger, clock: () => at }, d.id).catch((err: Error) => ({ status: 'failed' as const, reason: err.message }));
      const extra = out.status === 'failed' || out.status === 'not-claimed' ? `：${out.reason ?? ''}` : out.messageId ? `（${out.messageId}${out.urgent ? '，已加急' : ''}）` : '';
      console.log(`    → ${OUTCOME_ZH[out.status]}${extra}`);
    }
  },
};

function header(r: TickResult, hours: { start: string; end: string }): string {
  const lines = [`提醒计划 ${dayZh(r.today)} ${beijingTime(r.at)}（北京时间）`];
  if (r.planned.obligations) lines.push(`  新排提醒：${r.planned.created} 条（${r.planned.obligations} 项责任${r.planned.more ? '，其余下次继续' : ''}）`);
  const s = r.skipped;
  if (s.closed || s['past-due'] || s.superseded) {
    lines.push(`  不再提醒：责任已完成或取消 ${s.closed} 条，已过截止的到期前提醒 ${s['past-due']} 条，被更近的提醒取代 ${s.superseded} 条`);
  }
  if (!r.sending) lines.push(`  现在不是工作时间（工作日 ${hours.start}-${hours.end}），不发送提醒。`);
  return lines.join('\n');
}

function describeDigest(d: ClaimedDigest, requeued: boolean, cal: WorkingCalendar): string {
  const who = `  ${d.recipientName ?? `#${d.recipientId}`}（${d.day}${requeued ? '，此前认领未发出，重发' : ''}）`;
  if (d.kind === 'od') return `${who} 逾期责任日报（按单位汇总）`;
  const items = (d.items ?? []).map((i) => `    · [${stageZh(i.stage, d.day, i.dueAt, cal)}] ${i.title}`);
  return [`${who} ${items.length} 项：`, ...items].join('\n');
}
