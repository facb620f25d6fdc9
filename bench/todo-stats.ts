// Reply times of /待办, /统计 and /单位 at province scale (issue 5).
//
//   npx tsx bench/todo-stats.ts [--runs 60] [--gap 100] [--only '/待办,本月']   (--only: commands whose label contains one of these)
//   npx tsx bench/todo-stats.ts --seed-only                                     (seed, print the database URL, keep it)
//
// Data: the province roster (bench/province-roster.ts: 1,000 units × 15 people) plus the OD and one of
// its staff, imported and given the year's obligations the way bench/assessment-export.ts does (~63,000);
// then, with bulk SQL, as of the bot's clock (now): of what is past due, 8 in 9 DONE (one in five of
// those late) each with a report, the rest left OPEN (overdue); a quarter of the current periods' not yet due done early. Reminders
// are marked planned and WORK_HOURS is set outside the run, so the reminder tick sends nothing meanwhile.
//
// Three processes, as bench/webhook-ack.ts: the real bot (src/main.ts, webhook mode, its worker in a
// process of its own, PostgreSQL on DATABASE_URL's server in a fresh database, Redis on REDIS_URL), the
// local Lark sandbox (bench/sandbox-child.ts) as its Lark, and this process, which posts one signed,
// encrypted im.message.receive_v1 event at a time and waits for the bot's reply to reach the sandbox
// (its count of messages sent, polled every 2 ms). Time: from just before the POST to the reply seen.
// Commands: /待办 as a member, as a secretary (with the unit's items), as OD staff (district ranking);
// /统计 本月 / 本季度 / 本年 as OD staff (the district); /单位 <name> as OD staff. Each `--runs` times,
// round-robin, `--gap` ms apart, after `--warmup` (1) uncounted rounds. Every answer is checked afterwards in the audit log (result ok).
import { spawn } from 'node:child_process';
import os from 'node:os';
import readline from 'node:readline';
import { parseRoster } from '../src/domain/roster/roster.js';
import { sheetFromArrays } from '../src/domain/roster/table.js';
import { importRoster } from '../src/import/roster-import.js';
import { generateObligations } from '../src/obligations/generate.js';
import { loadDomainConfig } from '../src/ops/domain-config.js';
import { messageEnvelope, sandboxBotEnv, signedRequest, sleep } from '../test/helpers/bot.js';
import { freshDatabase } from '../test/helpers/db.js';
import { provinceRoster } from './province-roster.js';
import { pct, type SandboxInfo } from './common.js';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const RUNS = arg('runs', 60);
const GAP = arg('gap', 100);
const PORT = 3900 + Math.floor(Math.random() * 90);
const UNIT = 417; // the unit whose member, secretary and name the commands use
const secs = (t0: number) => `${((performance.now() - t0) / 1000).toFixed(1)} s`;

async function main() {
  const member = `ou_bench_${UNIT * 15 + 2}`; // 班子成员
  const secretary = `ou_bench_${UNIT * 15}`; // 书记
  const od = 'ou_bench_od_1';
  const unitName = `第${UNIT}镇党委`;
  const commands: Array<{ label: string; from: string; text: string; action: string }> = [
    { label: '/待办 member', from: member, text: '/待办', action: 'command:todo' },
    { label: '/待办 secretary (unit)', from: secretary, text: '/待办', action: 'command:todo' },
    { label: '/待办 OD (ranking)', from: od, text: '/待办', action: 'command:todo' },
    { label: '/统计 本月 OD', from: od, text: '/统计 本月', action: 'command:stats' },
    { label: '/统计 本季度 OD', from: od, text: '/统计 本季度', action: 'command:stats' },
    { label: '/统计 本年 OD', from: od, text: '/统计 本年', action: 'command:stats' },
    { label: `/单位 ${unitName} OD`, from: od, text: `/单位 ${unitName}`, action: 'command:unit' },
  ];
  const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1]!.split(',') : null;
  if (only) commands.splice(0, commands.length, ...commands.filter((c) => only.some((o) => c.label.includes(o))));
  const WARMUP = arg('warmup', 1); // rounds answered but not counted (a fresh process's first queries)
  const total = commands.length * (RUNS + WARMUP);

  // ---- data
  const db = await freshDatabase('bench_todo_stats');
  const prisma = db.prisma;
  const now = new Date(); // the bot's clock
  let t0 = performance.now();
  const sheets = provinceRoster(1);
  sheets['单位']!.push(['OD', '区委组织部', '区委组织部']);
  sheets['人员']!.push(['P900001', '组织部一', 'OD', '组织部工作人员', '科员', od, '13990000001', '']);
  const parsed = parseRoster(Object.entries(sheets).map(([n, rows]) => sheetFromArrays(n, rows)));
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems.slice(0, 5)));
  const year = new Date(now.getTime() + 8 * 3600_000).getUTCFullYear();
  await importRoster(prisma, parsed.value, { now: new Date(Date.UTC(year, 0, 4)) });
  const gen = await generateObligations(prisma, { year, now: new Date(Date.UTC(year, 0, 4)), catalog: loadDomainConfig().catalog.current });
  const nowIso = now.toISOString();
  const done = await prisma.$executeRawUnsafe(
    `UPDATE "Obligation" SET status = 'DONE', "doneCount" = "requiredCount", late = (id % 5 = 0),
       "completedAt" = CASE WHEN id % 5 = 0 THEN LEAST("dueAt" + interval '3 days', $1::timestamptz) ELSE "dueAt" - interval '2 days' END
     WHERE ("dueAt" <= $1::timestamptz AND id % 9 <> 0) OR ("dueAt" > $1::timestamptz AND "periodStart" <= $1::timestamptz AND hashint4(id) % 4 = 0)`,
    nowIso,
  );
  const reports = await prisma.$executeRawUnsafe(
    `INSERT INTO "Report" ("obligationId", "personId", "sourceKey", text, fields, late, "createdAt")
     SELECT o.id, COALESCE(o."personId", (SELECT min(p.id) FROM "Person" p WHERE p."unitId" = o."unitId")),
            'bench:' || o.id, '已完成', jsonb_build_object('place', '第' || o."unitId" || '村', 'summary', '按要求完成'), o.late, o."completedAt"
     FROM "Obligation" o WHERE o.status = 'DONE'`,
  );
  await prisma.$executeRawUnsafe(`UPDATE "Obligation" SET "remindersPlannedAt" = $1::timestamptz`, nowIso);
  await prisma.$executeRawUnsafe('VACUUM ANALYZE'); // as autovacuum leaves a table after a bulk update (visibility map set)
  const [size] = await prisma.$queryRawUnsafe<Array<Record<string, bigint>>>(
    `SELECT (SELECT count(*) FROM "Unit") units, (SELECT count(*) FROM "Person") people, (SELECT count(*) FROM "Obligation") obligations,
            (SELECT count(*) FROM "Obligation" WHERE status = 'DONE') done, (SELECT count(*) FROM "Obligation" WHERE status = 'DONE' AND late) late,
            (SELECT count(*) FROM "Obligation" WHERE status = 'OPEN' AND "dueAt" < $1::timestamptz) overdue, (SELECT count(*) FROM "Report") reports`,
    nowIso,
  );
  console.log(`data (${secs(t0)}): ${Object.entries(size!).map(([k, v]) => `${k} ${v}`).join(', ')}; generated ${gen.created}; done ${done}, reports ${reports}; now ${nowIso}`);

  if (process.argv.includes('--seed-only')) {
    // For looking at the queries by hand; drop it afterwards with dropdb.
    console.log(`seeded, kept: ${db.url}`);
    await prisma.$disconnect();
    return;
  }

  // ---- sandbox and bot
  const sbProc = spawn(process.execPath, ['--import', 'tsx', 'bench/sandbox-child.ts', '--messages', String(total)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = readline.createInterface({ input: sbProc.stdout! })[Symbol.asyncIterator]();
  const sb = JSON.parse((await lines.next()).value as string) as SandboxInfo;
  const sentCount = async () => {
    sbProc.stdin!.write('stats\n');
    return (JSON.parse((await lines.next()).value as string) as { sent: number }).sent;
  };
  const bot = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: {
      ...process.env,
      ...sandboxBotEnv(sb, db.url),
      PORT: String(PORT),
      WORKER_PROCESSES: '1',
      WORK_HOURS: '03:00-03:01', // no reminder sends during the run
      LOG_LEVEL: process.env.BENCH_LOG ?? 'error',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  try {
    for (let i = 0; ; i++) {
      if (i > 120) throw new Error('bot did not start');
      if (await fetch(`http://127.0.0.1:${PORT}/healthz`).then((r) => r.ok).catch(() => false)) break;
      await sleep(500);
    }
    await sleep(1500); // let the worker process connect

    // ---- one event at a time, each waiting for its reply
    const times = new Map<string, number[]>(commands.map((c) => [c.label, []]));
    let sent = await sentCount();
    t0 = performance.now();
    for (let i = 0; i < total; i++) {
      const c = commands[i % commands.length]!;
      const m = sb.messages[i]!;
      const req = signedRequest(messageEnvelope({ appId: sb.appId, token: sb.verificationToken, from: c.from, chatId: m.chatId, text: c.text, messageId: m.messageId }), sb.encryptKey);
      const start = performance.now();
      const res = await fetch(`http://127.0.0.1:${PORT}/lark/events`, { method: 'POST', headers: req.headers, body: req.body });
      if (res.status !== 200) throw new Error(`event ${i}: HTTP ${res.status}`);
      await res.arrayBuffer();
      for (;;) {
        const n = await sentCount();
        if (n > sent) {
          if (n > sent + 1) throw new Error(`event ${i}: ${n - sent} messages sent for one event`);
          sent = n;
          break;
        }
        if (performance.now() - start > 30_000) throw new Error(`event ${i} (${c.label}): no reply in 30 s`);
        await sleep(2);
      }
      if (i >= commands.length * WARMUP) times.get(c.label)!.push(performance.now() - start);
      await sleep(GAP);
    }
    const elapsed = secs(t0);
    const load = os.loadavg().map((x) => x.toFixed(1)).join(' ');

    // Every answer an ok in the audit log (a refusal or an error would be a wrong measurement).
    await sleep(500);
    const audit = await prisma.auditLog.groupBy({ by: ['action', 'result'], _count: { _all: true } });
    const ok = (a: string) => audit.find((r) => r.action === a && r.result === 'ok')?._count._all ?? 0;
    const bad = audit.filter((r) => r.result !== 'ok');
    for (const a of new Set(commands.map((c) => c.action))) {
      const want = commands.filter((c) => c.action === a).length * (RUNS + WARMUP);
      if (ok(a) !== want) throw new Error(`audit: ${a} ok ${ok(a)}, expected ${want}; others: ${JSON.stringify(bad)}`);
    }

    const f = (x: number) => `${x.toFixed(0)} ms`.padStart(8);
    const row = (label: string, xs: number[]) => {
      const s = [...xs].sort((a, b) => a - b);
      return `  ${label.padEnd(26)} n=${String(s.length).padEnd(4)} p50 ${f(pct(s, 50))}  p95 ${f(pct(s, 95))}  p99 ${f(pct(s, 99))}  max ${f(s.at(-1)!)}`;
    };
    console.log(`reply times, event POST → reply at the sandbox: ${RUNS} per command (after ${WARMUP} warm-up round), one at a time, ${GAP} ms apart; ${total} events in ${elapsed}; load average at the end ${load} (${os.cpus().length} cores)`);
    for (const [label, xs] of times) console.log(row(label, xs));
    console.log(row('all', [...times.values()].flat()));
  } finally {
    bot.kill('SIGTERM');
    await new Promise((r) => bot.once('exit', r));
    sbProc.stdin!.end();
    await new Promise((r) => sbProc.once('exit', r));
    await db.drop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
