// Webhook acknowledgement latency under province-scale bursts, side by side with the bare floor.
//
//   npx tsx bench/webhook-ack.ts                                   # 200, 500, 1000 events/s × 20 s, production settings
//   npx tsx bench/webhook-ack.ts --rates 1000 --seconds 60         # the 60-s burst of the issue's last target
//   npx tsx bench/webhook-ack.ts --profile                         # + event-loop delay, CPU per process, round trips, --cpu-prof files
//   npx tsx bench/webhook-ack.ts --rate 200 --seconds 30 --senders 100 --log error --no-floor # the settings of the old (issue 2) figure
//
// Options: --rates a,b,c (or --rate a) · --seconds 20 · --senders 200 · --workers N (WORKER_PROCESSES; default: the
// bot's own default) · --log info (LOG_LEVEL) · --no-floor · --lark-scale k (both the sandbox's limits and the bot's
// pacer × k; 1 = Lark's 50/s & 1000/min) · --drain 600 (s to wait for the replies) · --redeliver 15 (s after which an
// event not answered 200 is posted again, as Lark does) · --settle 5 (s between rates) · --profile.
//
// Processes, so that no one's work shows up in another's figures: the real bot (src/main.ts as `npm start` runs it:
// webhook mode, its queue workers forked, LOG_LEVEL info, logs written to a file) on PostgreSQL (a fresh database on
// DATABASE_URL's server) and Redis (REDIS_URL); the floor (bench/ack-floor.ts: node:http, signature on the raw body,
// decrypt, dedupe the message id, one BullMQ job, 200) on the same Redis; the local Lark sandbox
// (bench/sandbox-child.ts) with Lark's limits; and Lark's event push: one generator process per target
// (bench/ack-load.ts), both on the same open-loop schedule from the same instant (a slow answer does not slow the
// sender), posting the same signed, encrypted im.message.receive_v1 events, so both targets are measured under the
// same load and neither's backlog slows the other's measurement; each times every HTTP answer. The bot
// answers every message (its replies go through the queue to the sandbox, paced to Lark's limits), so its worker is
// busy throughout, as in production. An event the bot did not answer 200 (503 under overload) is posted again
// after --redeliver s, as Lark re-delivers; at the end every message must have been answered exactly once.
// Afterwards the bot's queue (QUEUE_NAME on REDIS_URL) is emptied: use a Redis of your own.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import { dropDatabase, ensureDatabase } from '../src/db/migrate.js';
import { QUEUE_NAME } from '../src/jobs/queue.js';
import { messageEnvelope, redisUrl, sandboxBotEnv, signedRequest, sleep } from '../test/helpers/bot.js';
import { uniqueDatabaseUrl } from '../test/helpers/db.js';
import { pct, type SandboxInfo } from './common.js';

const argv = process.argv.slice(2);
const has = (name: string) => argv.includes(`--${name}`);
const opt = (name: string, def: string) => (has(name) ? argv[argv.indexOf(`--${name}`) + 1]! : def);
const RATES = opt('rates', opt('rate', '200,500,1000')).split(',').map(Number);
const SECONDS = Number(opt('seconds', '20'));
const SENDERS = Number(opt('senders', '200'));
const WORKERS = has('workers') ? opt('workers', '1') : undefined;
const LOG_LEVEL = opt('log', process.env.BENCH_LOG ?? 'info');
const FLOOR = !has('no-floor');
const SCALE = Number(opt('lark-scale', '1'));
const DRAIN_S = Number(opt('drain', '600'));
const REDELIVER_S = Number(opt('redeliver', '15'));
const SETTLE_S = Number(opt('settle', '5'));
const PROFILE = has('profile');
const LARK_TIMEOUT_MS = 3000;

const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');

/** utime + stime of a process in ms (Linux /proc), 0 when it is gone. */
function cpuMs(pid: number): number {
  try {
    const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100;
  } catch {
    return 0;
  }
}
const childrenOf = (pid: number): number[] => {
  try {
    return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
};

/** A child that prints JSON lines on stdout and answers a line written to its stdin with one. */
function lineChild(args: string[], env: NodeJS.ProcessEnv = process.env) {
  const proc = spawn(process.execPath, ['--import', 'tsx', ...args], { env, stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = readline.createInterface({ input: proc.stdout! })[Symbol.asyncIterator]();
  const nextLine = async () => (await lines.next()).value as string;
  const next = async <T>() => JSON.parse(await nextLine()) as T;
  return {
    proc,
    next,
    nextLine,
    ask: async <T>(cmd: string) => {
      proc.stdin!.write(`${cmd}\n`);
      return next<T>();
    },
  };
}

interface Target {
  name: 'floor' | 'bot';
  url: string;
  agent: http.Agent;
}
interface Shot {
  ms: number;
  status: number;
}

function post(t: Target, req: { body: string; headers: Record<string, string> }): Promise<Shot> {
  const start = performance.now();
  return new Promise<Shot>((resolve) => {
    const r = http.request(t.url, { method: 'POST', agent: t.agent, headers: { ...req.headers, 'content-length': String(Buffer.byteLength(req.body)) } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ ms: performance.now() - start, status: res.statusCode ?? 0 }));
    });
    r.on('error', () => resolve({ ms: performance.now() - start, status: 0 }));
    r.end(req.body);
  });
}

function summary(shots: Shot[]) {
  const ms = shots.map((s) => s.ms).sort((a, b) => a - b);
  const by = (f: (s: Shot) => boolean) => shots.filter(f).length;
  return {
    p50: pct(ms, 50),
    p99: pct(ms, 99),
    max: ms.at(-1)!,
    ok: by((s) => s.status === 200),
    s503: by((s) => s.status === 503),
    other: by((s) => s.status !== 200 && s.status !== 503),
    late: by((s) => s.ms > LARK_TIMEOUT_MS),
  };
}

async function main() {
  const totals = RATES.map((r) => r * SECONDS);
  const total = totals.reduce((a, b) => a + b, 0);
  const sandbox = lineChild(['bench/sandbox-child.ts', '--messages', String(total), '--senders', String(SENDERS)], {
    ...process.env,
    SANDBOX_APP_RATE: String(50 * SCALE),
    SANDBOX_APP_PER_MINUTE: String(1000 * SCALE),
  });
  const sb = await sandbox.next<SandboxInfo>();

  const dbUrl = uniqueDatabaseUrl('bench_ack');
  await ensureDatabase(dbUrl);
  const port = 3900 + Math.floor(Math.random() * 90);
  const logFile = path.join(os.tmpdir(), `webhook-ack-bot-${process.pid}.log`);
  const logFd = fs.openSync(logFile, 'w');
  const profDir = path.join(os.tmpdir(), `webhook-ack-prof-${process.pid}`);
  const bot = spawn(
    process.execPath,
    ['--import', 'tsx', ...(PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`, '--import', './bench/loop-monitor.ts'] : []), 'src/main.ts'],
    {
      env: {
        ...process.env,
        ...sandboxBotEnv(sb, dbUrl),
        PORT: String(port),
        LOG_LEVEL,
        ...(WORKERS !== undefined ? { WORKER_PROCESSES: WORKERS } : {}),
        ...(SCALE !== 1 ? { LARK_APP_PER_SECOND: String(48 * SCALE), LARK_APP_PER_MINUTE: String(985 * SCALE) } : {}),
      },
      stdio: ['ignore', logFd, 'pipe'],
    },
  );
  const loopLines: { pid: number; loop: { p50: number; p99: number; max: number } }[] = [];
  readline.createInterface({ input: bot.stderr! }).on('line', (l) => {
    if (l.startsWith('{"pid"')) loopLines.push(JSON.parse(l));
    else process.stderr.write(`[bot] ${l}\n`);
  });
  for (let i = 0; ; i++) {
    if (i > 240 || bot.exitCode !== null) throw new Error('bot did not start');
    if (await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok).catch(() => false)) break;
    await sleep(500);
  }
  await sleep(2000); // let the worker processes connect

  const floor = FLOOR ? lineChild(['bench/ack-floor.ts'], { ...process.env, REDIS_URL: redisUrl(), FLOOR_ENCRYPT_KEY: sb.encryptKey, FLOOR_QUEUE: `bench-floor-${process.pid}` }) : undefined;
  const floorPort = floor ? (await floor.next<{ port: number }>()).port : 0;

  // Lark opens as many connections as it needs; so may the load generator.
  const agent = () => new http.Agent({ keepAlive: true, maxSockets: 512 });
  const botT: Target = { name: 'bot', url: `http://127.0.0.1:${port}/lark/events`, agent: agent() };
  const floorT: Target = { name: 'floor', url: `http://127.0.0.1:${floorPort}/lark/events`, agent: agent() };
  const requestFor = (i: number) => {
    const m = sb.messages[i]!;
    return signedRequest(messageEnvelope({ appId: sb.appId, token: sb.verificationToken, from: m.from, chatId: m.chatId, text: m.text, messageId: m.messageId }), sb.encryptKey);
  };

  const redis = new Redis(redisUrl());
  const pgc = new pg.Client({ connectionString: dbUrl });
  await pgc.connect();
  const counters = async () => {
    const info = await redis.info('stats');
    const cmds = Number(/total_commands_processed:(\d+)/.exec(info)![1]);
    const x = await pgc.query<{ n: string }>('SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = current_database()');
    return { cmds, xacts: Number(x.rows[0]!.n) };
  };

  console.log(
    `webhook-ack: bot (LOG_LEVEL ${LOG_LEVEL}, WORKER_PROCESSES ${WORKERS ?? 'default'}) ${FLOOR ? 'and the floor side by side' : 'alone'}; ${SENDERS} senders; ` +
      `Lark limits ${50 * SCALE}/s & ${1000 * SCALE}/min${SCALE !== 1 ? ` (× ${SCALE})` : ''}; ${os.cpus().length} cores; ${new Date().toISOString()}`,
  );
  const rows: string[] = [];
  const retry: number[] = []; // events to post again (not answered 200 by the bot)
  let offset = 0;
  const redeliveries: Promise<void>[] = [];
  for (const [k, rate] of RATES.entries()) {
    const n = totals[k]!;
    const before = { load: load(), main: cpuMs(bot.pid!), workers: childrenOf(bot.pid!).map(cpuMs), floor: floor ? cpuMs(floor.proc.pid!) : 0, c: await counters(), log: fs.statSync(logFile).size };
    if (PROFILE) bot.kill('SIGUSR2');
    // One generator process per target (bench/ack-load.ts), both on the same schedule from the same instant.
    const gens = (floor ? [botT, floorT] : [botT]).map((t) => {
      const g = lineChild(['bench/ack-load.ts']);
      g.proc.stdin!.write(JSON.stringify({ url: t.url, rate, sandbox: sb, from: offset, n }) + '\n');
      return { t, g, ready: g.nextLine() };
    });
    for (const x of gens) await x.ready;
    const t0 = performance.now();
    const go = Date.now() + 300;
    type Out = { shots: [number, number][]; sentInS: number; cpuMs: number; loopP99Ms: number };
    const outs = await Promise.all(gens.map((x) => x.g.ask<Out>(`go ${go}`)));
    if (PROFILE) bot.kill('SIGUSR2');
    const after = { load: load(), main: cpuMs(bot.pid!), workers: childrenOf(bot.pid!).map(cpuMs), floor: floor ? cpuMs(floor.proc.pid!) : 0, c: await counters(), log: fs.statSync(logFile).size };
    const shots: Record<Target['name'], Shot[]> = { floor: [], bot: [] };
    gens.forEach((x, gi) => {
      for (const [ms, status] of outs[gi]!.shots) shots[x.t.name].push({ ms, status });
    });
    outs[0]!.shots.forEach(([, status], i) => status !== 200 && retry.push(offset + i));
    const sentIn = Math.max(...outs.map((o) => o.sentInS));
    const gen = { cpuMs: outs.reduce((a, o) => a + o.cpuMs, 0), loopP99Ms: Math.max(...outs.map((o) => o.loopP99Ms)) };
    offset += n;

    const b = summary(shots.bot);
    const f = floor ? summary(shots.floor) : undefined;
    const wall = (performance.now() - t0) / 1000;
    const pctCpu = (ms: number) => `${((ms / 1000 / wall) * 100).toFixed(0)} %`;
    const row =
      `${rate}/s × ${SECONDS} s (achieved ${(n / sentIn).toFixed(0)}/s): ` +
      (f ? `floor p50 ${f.p50.toFixed(1)} p99 ${f.p99.toFixed(1)} ms (non-200 ${f.s503 + f.other}) | ` : '') +
      `bot p50 ${b.p50.toFixed(1)} p99 ${b.p99.toFixed(1)} max ${b.max.toFixed(0)} ms` +
      (f ? ` | ratio p99 ${(b.p99 / f.p99).toFixed(2)}` : '') +
      ` | bot 200 ${b.ok}, 503 ${b.s503}, other ${b.other}, > 3 s ${b.late}`;
    rows.push(row);
    console.log(`  load ${before.load} → ${after.load}`);
    console.log(`  ${row}`);
    console.log(
      `    CPU over ${wall.toFixed(1)} s: bot main ${pctCpu(after.main - before.main)}, workers ${after.workers.map((w, j) => pctCpu(w - (before.workers[j] ?? 0))).join(' ')}` +
        (floor ? `, floor ${pctCpu(after.floor - before.floor)}` : '') +
        `, load generators ${pctCpu(gen.cpuMs)} (their event-loop delay p99 ≤ ${gen.loopP99Ms.toFixed(0)} ms)` +
        ` | per event: ${((after.c.xacts - before.c.xacts) / n).toFixed(2)} PostgreSQL transactions (bot and workers), ${((after.c.cmds - before.c.cmds) / n).toFixed(2)} Redis commands (all), ${((after.log - before.log) / n).toFixed(0)} bytes of log`,
    );
    if (PROFILE) {
      const l = loopLines.at(-1);
      if (l) console.log(`    bot event-loop delay: p50 ${l.loop.p50} ms, p99 ${l.loop.p99} ms, max ${l.loop.max} ms`);
    }
    // Lark re-delivers what was not answered 200; so does this, --redeliver s later, until it is.
    const again = retry.splice(0);
    if (again.length)
      redeliveries.push(
        (async () => {
          let todo = again;
          while (todo.length) {
            await sleep(REDELIVER_S * 1000);
            const res = await Promise.all(todo.map((id) => post(botT, requestFor(id)).then((s) => ({ id, s }))));
            todo = res.filter((r) => r.s.status !== 200).map((r) => r.id);
          }
        })(),
      );
    if (k < RATES.length - 1) await sleep(SETTLE_S * 1000);
  }
  await Promise.all(redeliveries);

  // Every message must be answered exactly once (replies go out at Lark's pace: 1000/min × scale).
  const t1 = performance.now();
  let r = await sandbox.ask<{ once: number; more: number; none: number }>('replies');
  while (r.none > 0 && performance.now() - t1 < DRAIN_S * 1000) {
    await sleep(2000);
    r = await sandbox.ask<{ once: number; more: number; none: number }>('replies');
  }
  const st = await sandbox.ask<{ sent: number; stats: { duplicateUuids: number; rateLimited: number } }>('stats');
  console.log(
    `  replies: ${r.once}/${total} answered exactly once, ${r.more} more than once, ${r.none} not (yet) answered, ${((performance.now() - t1) / 1000).toFixed(0)} s after the load; ` +
      `duplicate sends refused by uuid: ${st.stats.duplicateUuids}; 429s: ${st.stats.rateLimited}; bot log: ${(fs.statSync(logFile).size / 1e6).toFixed(1)} MB (${logFile})`,
  );

  bot.kill('SIGTERM');
  await new Promise((res) => bot.once('exit', res));
  // The bot's queue (src/jobs/queue.ts QUEUE_NAME) still holds the jobs of replies not sent: they belong to this run's database.
  await new Queue(QUEUE_NAME, { connection: redis }).obliterate({ force: true });
  if (PROFILE) console.log(`  CPU profiles (bot main and workers): ${profDir}`);
  floor?.proc.kill('SIGTERM');
  if (floor) await new Promise((res) => floor.proc.once('exit', res));
  sandbox.proc.stdin!.end();
  await new Promise((res) => sandbox.proc.once('exit', res));
  await pgc.end();
  redis.disconnect();
  await dropDatabase(dbUrl);
  botT.agent.destroy();
  floorT.agent.destroy();
  fs.closeSync(logFd);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
