// Starts test/helpers/reminder-worker.ts in a process of its own (so a test can SIGKILL it) and waits
// until it says "ready". `env` adds to the common settings: DATABASE_URL, QUEUE, LARK_* , CLOCK …
// A pacer scaled for a scaled sandbox (LARK_APP_PER_SECOND) is scaled in its per-minute limit too
// (LARK_APP_PER_MINUTE, in LARK_LIMITS' proportion) unless that is given.
import { spawn, type ChildProcess } from 'node:child_process';
import { LARK_LIMITS } from '../../src/lark/pacer.js';
import { redisUrl } from './bot.js';

export async function startChildWorker(env: Record<string, string>): Promise<ChildProcess> {
  const perMinute =
    env.LARK_APP_PER_SECOND && !env.LARK_APP_PER_MINUTE
      ? { LARK_APP_PER_MINUTE: String(Math.floor((Number(env.LARK_APP_PER_SECOND) * LARK_LIMITS.appPerMinute) / LARK_LIMITS.appPerSecond)) }
      : {};
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/reminder-worker.ts'], {
    env: { ...process.env, REDIS_URL: redisUrl(), ...perMinute, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('child worker did not start')), 20_000);
    child.stdout!.on('data', (b: Buffer) => {
      if (b.toString().includes('ready')) {
        clearTimeout(t);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`child worker exited (${code})`)));
  });
  return child;
}
