// One load generator of bench/webhook-ack.ts, in a process of its own (one per target, so that a slow
// target's piled-up sockets cannot slow the measurement of the other). Reads one JSON line on stdin:
// { url, rate, sandbox: SandboxInfo-like, from, n }; builds the n signed, encrypted events (messages
// from..from+n), prints "ready"; on "go <epoch ms>" posts them on the open-loop schedule starting then
// (each tick posts what is due and yields) and prints one JSON line { shots: [ms, status][], cpuMs, loopP99Ms }.
import http from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import readline from 'node:readline';
import { messageEnvelope, signedRequest, sleep } from '../test/helpers/bot.js';
import type { SandboxInfo } from './common.js';

const lines = readline.createInterface({ input: process.stdin })[Symbol.asyncIterator]();
const job = JSON.parse((await lines.next()).value as string) as { url: string; rate: number; sandbox: SandboxInfo; from: number; n: number };
const { sandbox: sb } = job;
const requests = sb.messages
  .slice(job.from, job.from + job.n)
  .map((m) => signedRequest(messageEnvelope({ appId: sb.appId, token: sb.verificationToken, from: m.from, chatId: m.chatId, text: m.text, messageId: m.messageId }), sb.encryptKey));
const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });
process.stdout.write('ready\n');
const go = Number(((await lines.next()).value as string).split(' ')[1]);

const epochNow = () => performance.timeOrigin + performance.now();
const shots: [number, number][] = new Array(requests.length);
const inflight: Promise<void>[] = [];
const post = (i: number) =>
  new Promise<void>((resolve) => {
    const req = requests[i]!;
    const start = performance.now();
    const done = (status: number) => {
      shots[i] = [performance.now() - start, status];
      resolve();
    };
    const r = http.request(job.url, { method: 'POST', agent, headers: { ...req.headers, 'content-length': String(Buffer.byteLength(req.body)) } }, (res) => {
      res.resume();
      res.on('end', () => done(res.statusCode ?? 0));
    });
    r.on('error', () => done(0));
    r.end(req.body);
  });

await sleep(Math.max(0, go - epochNow()));
const loop = monitorEventLoopDelay({ resolution: 5 });
loop.enable();
const cpu0 = process.cpuUsage();
const t0 = performance.now();
for (let i = 0; i < requests.length; ) {
  const due = Math.min(requests.length, Math.floor(((performance.now() - t0) * job.rate) / 1000) + 1);
  for (; i < due; i++) inflight.push(post(i));
  await sleep(Math.max(1, t0 + (i * 1000) / job.rate - performance.now()));
}
const sentInS = (performance.now() - t0) / 1000;
await Promise.all(inflight);
const cpu = process.cpuUsage(cpu0);
agent.destroy();
// A pipe is written asynchronously: exit only once the (large) line is out.
process.stdout.write(JSON.stringify({ shots, sentInS, cpuMs: (cpu.user + cpu.system) / 1000, loopP99Ms: loop.percentile(99) / 1e6 }) + '\n', () => process.exit(0));
