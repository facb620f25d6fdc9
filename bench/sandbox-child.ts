// The Lark sandbox in a process of its own for benchmarks. It registers `--messages N` user
// messages (not delivered: the benchmark posts them itself) and prints one JSON line with the
// sandbox's credentials and those messages, then serves until stdin closes. `--senders N` (default 100)
// users send them in turn. On 'stats' on stdin it prints { sent, stats } as one JSON line; on 'replies',
// { once, more, none }: how many of the registered messages the bot answered exactly once, more than
// once, not yet.
import readline from 'node:readline';
import { startSandbox } from '../src/sandbox/index.js';

const arg = (name: string, def: number) => (process.argv.includes(name) ? Number(process.argv[process.argv.indexOf(name) + 1]) : def);
const n = arg('--messages', 0);
const senders = arg('--senders', 100);
// Lark's per-app limits, 50/s and 1000/min by default; SANDBOX_APP_PER_MINUTE unset with SANDBOX_APP_RATE set
// scales the minute with it (20 × the per-second limit, as Lark's 1000 : 50).
const appPerSecond = Number(process.env.SANDBOX_APP_RATE ?? 50);
const appPerMinute = process.env.SANDBOX_APP_PER_MINUTE ? Number(process.env.SANDBOX_APP_PER_MINUTE) : undefined;
const sandbox = await startSandbox({ port: 0, delivery: { mode: 'none' }, rateLimit: { appPerSecond, ...(appPerMinute !== undefined ? { appPerMinute } : {}) } });
const users = Array.from({ length: senders }, (_, i) => `ou_bench_${String(i).padStart(4, '0')}`);
for (const u of users) sandbox.addUser({ openId: u, name: u });
const messages: { from: string; text: string; chatId: string; messageId: string }[] = [];
for (let i = 0; i < n; i++) {
  const from = users[i % users.length]!;
  const text = i % 2 ? '/帮助' : '你好';
  messages.push({ from, text, chatId: sandbox.p2pChatId(from), messageId: await sandbox.userSends({ from, text }) });
}
const { appId, appSecret, encryptKey, verificationToken, baseUrl } = sandbox;
process.stdout.write(JSON.stringify({ appId, appSecret, encryptKey, verificationToken, baseUrl, messages }) + '\n');
const rl = readline.createInterface({ input: process.stdin });
rl.on('line', (line) => {
  if (line.trim() === 'stats') process.stdout.write(JSON.stringify({ sent: sandbox.sent().length, stats: sandbox.stats() }) + '\n');
  if (line.trim() === 'replies') {
    const replies = new Map<string, number>();
    for (const m of sandbox.sent()) if (m.parentId) replies.set(m.parentId, (replies.get(m.parentId) ?? 0) + 1);
    let once = 0;
    let more = 0;
    for (const m of messages) {
      const k = replies.get(m.messageId) ?? 0;
      if (k === 1) once++;
      else if (k > 1) more++;
    }
    process.stdout.write(JSON.stringify({ once, more, none: messages.length - once - more }) + '\n');
  }
});
rl.on('close', () => void sandbox.close().then(() => process.exit(0)));
