// Webhook acknowledgement latency under sustained load.
//
//   npx tsx bench/webhook-ack.ts [--rate 200] [--seconds 30] [--workers 1]
//
// Three processes, so that no one's work shows up in another's figures: the real bot (src/main.ts,
// by default with its queue worker in a process of its own, as `npm start` runs it) on PostgreSQL
// and Redis (DATABASE_URL's server, a fresh database; REDIS_URL); the local Lark sandbox as its
// Lark (bench/sandbox-child.ts); and this process, which plays Lark's event push: it posts signed,
// encrypted im.message.receive_v1 events at a fixed rate (open loop: a slow answer does not slow
// the sender) and measures the time to each HTTP answer. The bot answers every message (the
// replies go through the queue to the sandbox, paced to Lark's limits), so the worker is busy the
// whole time, as it would be in production.
import { spawn } from 'node:child_process';
import http from 'node:http';
import readline from 'node:readline';
import { dropDatabase, ensureDatabase } from '../src/db/migrate.js';
import { messageEnvelope, sandboxBotEnv, signedRequest, sleep } from '../test/helpers/bot.js';
import { uniqueDatabaseUrl } from '../test/helpers/db.js';
import { pct, type SandboxInfo } from './common.js';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const RATE = arg('rate', 200);
const SECONDS = arg('seconds', 30);
const WORKERS = arg('workers', 1);
const PORT = 3900 + Math.floor(Math.random() * 90);

async function main() {
  const total = RATE * SECONDS;
  const sbProc = spawn(process.execPath, ['--import', 'tsx', 'bench/sandbox-child.ts', '--messages', String(total)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = readline.createInterface({ input: sbProc.stdout! })[Symbol.asyncIterator]();
  const sb = JSON.parse((await lines.next()).value as string) as SandboxInfo;
  const sandboxStats = async () => {
    sbProc.stdin!.write('stats\n');
    return JSON.parse((await lines.next()).value as string) as { sent: number; stats: { duplicateUuids: number; rateLimited: number } };
  };

  const dbUrl = uniqueDatabaseUrl('bench_ack');
  await ensureDatabase(dbUrl);
  const bot = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: {
      ...process.env,
      ...sandboxBotEnv(sb, dbUrl),
      PORT: String(PORT),
      WORKER_PROCESSES: String(WORKERS),
      LOG_LEVEL: process.env.BENCH_LOG ?? 'error',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  for (let i = 0; ; i++) {
    if (i > 120) throw new Error('bot did not start');
    if (await fetch(`http://127.0.0.1:${PORT}/healthz`).then((r) => r.ok).catch(() => false)) break;
    await sleep(500);
  }
  await sleep(1000); // let the worker processes connect

  const requests = sb.messages.map((m) =>
    signedRequest(messageEnvelope({ appId: sb.appId, token: sb.verificationToken, from: m.from, chatId: m.chatId, text: m.text, messageId: m.messageId }), sb.encryptKey),
  );
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const url = `http://127.0.0.1:${PORT}/lark/events`;
  const post = (body: string, headers: Record<string, string>) =>
    new Promise<number>((resolve, reject) => {
      const req = http.request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end(body);
    });

  const latencies: number[] = [];
  let errors = 0;
  const inflight: Promise<void>[] = [];
  const t0 = performance.now();
  for (let i = 0; i < total; i++) {
    const wait = t0 + (i * 1000) / RATE - performance.now();
    if (wait > 1) await sleep(wait);
    const req = requests[i]!;
    const start = performance.now();
    inflight.push(
      post(req.body, req.headers)
        .then((status) => {
          if (status !== 200) errors++;
          latencies.push(performance.now() - start);
        })
        .catch(() => void errors++),
    );
  }
  await Promise.all(inflight);
  const elapsed = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);

  // Let the queue drain, then count what Lark (the sandbox) received.
  let s = await sandboxStats();
  while (s.sent < total && performance.now() - t0 < 600_000) {
    await sleep(1000);
    s = await sandboxStats();
  }

  console.log(`webhook acknowledgement latency: ${total} signed events at ${RATE}/s for ${SECONDS} s (achieved ${(total / elapsed).toFixed(0)}/s), worker processes: ${WORKERS}`);
  console.log(`  p50 ${pct(latencies, 50).toFixed(1)} ms   p90 ${pct(latencies, 90).toFixed(1)} ms   p99 ${pct(latencies, 99).toFixed(1)} ms   max ${latencies.at(-1)!.toFixed(1)} ms   non-200: ${errors}`);
  console.log(`  replies delivered: ${s.sent}/${total} after ${((performance.now() - t0) / 1000).toFixed(0)} s; duplicate sends refused by uuid: ${s.stats.duplicateUuids}; 429s: ${s.stats.rateLimited}`);

  bot.kill('SIGTERM');
  await new Promise((r) => bot.once('exit', r));
  sbProc.stdin!.end();
  await new Promise((r) => sbProc.once('exit', r));
  await dropDatabase(dbUrl);
  agent.destroy();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
