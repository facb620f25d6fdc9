// The Lark sandbox in a process of its own for benchmarks. It registers `--messages N` user
// messages (not delivered: the benchmark posts them itself) and prints one JSON line with the
// sandbox's credentials and those messages, then serves until stdin closes. On 'stats' on stdin it
// prints { sent, stats } as one JSON line.
import readline from 'node:readline';
import { startSandbox } from '../src/sandbox/index.js';

const n = Number(process.argv[process.argv.indexOf('--messages') + 1] ?? 0);
// Lark's per-app limits, 50/s and 1000/min by default; SANDBOX_APP_PER_MINUTE unset with SANDBOX_APP_RATE set
// scales the minute with it (20 × the per-second limit, as Lark's 1000 : 50).
const appPerSecond = Number(process.env.SANDBOX_APP_RATE ?? 50);
const appPerMinute = process.env.SANDBOX_APP_PER_MINUTE ? Number(process.env.SANDBOX_APP_PER_MINUTE) : undefined;
const sandbox = await startSandbox({ port: 0, delivery: { mode: 'none' }, rateLimit: { appPerSecond, ...(appPerMinute !== undefined ? { appPerMinute } : {}) } });
const users = Array.from({ length: 100 }, (_, i) => `ou_bench_${String(i).padStart(4, '0')}`);
for (const u of users) sandbox.addUser({ openId: u, name: u });
const messages = [];
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
});
rl.on('close', () => void sandbox.close().then(() => process.exit(0)));
