// The bot as an operator starts and stops it: `npm start` with NODE_ENV=production (embedded
// PostgreSQL, local Lark sandbox, a forked queue worker), stopped by a signal to one of its
// processes; and a second start on the same data folder.

import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, descendants, freePort, start, waitGone, waitHttpOk, type Started } from '../helpers/process.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Lines a pino logger printed at error level or above (50 error, 60 fatal), and anything else that looks like a failure. */
function errorLines(lines: string[]): string[] {
  return lines.filter((l) => {
    if (l.startsWith('{')) {
      try {
        return (JSON.parse(l) as { level: number }).level >= 50;
      } catch {
        return true;
      }
    }
    return /error|unhandled|exception/i.test(l) && !/^npm warn/.test(l);
  });
}

/** Whether the process has a handler for SIGINT installed (Linux: SigCgt in /proc/<pid>/status). */
function catchesSigint(pid: number): boolean {
  try {
    const mask = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^SigCgt:\s*([0-9a-f]+)$/m)?.[1];
    return mask !== undefined && (BigInt(`0x${mask}`) & 2n) !== 0n;
  } catch {
    return false;
  }
}

describe('lifecycle: npm start under NODE_ENV=production, signals, one instance per data folder', () => {
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  let port: number;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'dangjian-lifecycle-'));
    chmodSync(dataDir, 0o755); // the embedded PostgreSQL runs as its own user when we are root
    port = await freePort();
    env = cleanEnv({
      NODE_ENV: 'production',
      PORT: String(port),
      SANDBOX_PORT: String(await freePort()),
      EMBEDDED_PG_PORT: String(await freePort()),
      DATA_DIR: dataDir,
      WORKER_PROCESSES: '1',
    });
  });
  // A test that fails half-way must not leave its bot running.
  const started: Started[] = [];
  afterEach(() => {
    for (const bot of started.splice(0)) {
      for (const p of [...descendants(bot.child.pid!).reverse(), { pid: bot.child.pid! }]) {
        try {
          process.kill(p.pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
    }
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  /** `npm start`, until it answers /healthz and its worker process has started. */
  async function npmStart(): Promise<Started & { tree: { pid: number; cmd: string }[] }> {
    const bot = start('npm', ['start'], { cwd: ROOT, env });
    started.push(bot);
    try {
      await waitHttpOk(`http://127.0.0.1:${port}/healthz`, 150_000, () => bot.child.exitCode === null);
    } catch (err) {
      // Say why: the bot's own last lines (an early exit otherwise shows only a refused fetch).
      throw new Error(`${(err as Error).message}\nnpm start exit code: ${bot.child.exitCode}; its last output:\n${bot.lines.slice(-40).join('\n')}`);
    }
    // The worker process is up and handles SIGINT (its log lines are buffered, so look at the process).
    const until = Date.now() + 60_000;
    let tree = descendants(bot.child.pid!);
    const workerReady = () => tree.some((p) => p.cmd.includes('worker-main') && catchesSigint(p.pid));
    while (!workerReady() && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 250));
      tree = descendants(bot.child.pid!);
    }
    return { ...bot, tree };
  }

  it('starts with NODE_ENV=production and leaves the dev tools in the checkout; SIGTERM to npm stops every process, exit 0, nothing at error level', async () => {
    const bot = await npmStart();
    // npm, the bot, its worker and the embedded PostgreSQL are all there.
    expect(bot.tree.some((p) => p.cmd.includes('src/main.ts'))).toBe(true);
    expect(bot.tree.some((p) => p.cmd.includes('worker-main.ts'))).toBe(true);
    expect(bot.tree.some((p) => /bin\/postgres /.test(p.cmd))).toBe(true);
    // The start's install kept devDependencies: the CLI tools still work afterwards.
    expect(existsSync(path.join(ROOT, 'node_modules/.bin/tsx'))).toBe(true);
    expect(existsSync(path.join(ROOT, 'node_modules/.bin/prisma'))).toBe(true);
    // /metrics adds the worker process's metrics to the main one's.
    const scraped = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(scraped).toContain('dangjian_queue_jobs{state="waiting"}');
    expect(Number(scraped.match(/^dangjian_process_resident_memory_bytes (\d+)/m)?.[1])).toBeGreaterThan(0);

    bot.child.kill('SIGTERM');
    expect(await bot.exited).toBe(0);
    await waitGone(bot.tree.map((p) => p.pid), 15_000);
    expect(errorLines(bot.lines)).toEqual([]);
    expect(bot.lines.some((l) => l.includes('embedded PostgreSQL stopped'))).toBe(true);
    expect(existsSync(path.join(dataDir, 'bot.pid'))).toBe(false);
  }, 240_000);

  it('refuses a second start on the same data folder in one Chinese and English line naming the pid; SIGINT to the worker then stops the whole tree', async () => {
    const bot = await npmStart();
    const main = bot.tree.find((p) => p.cmd.includes('src/main.ts'))!;

    const second = start(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: ROOT, env: { ...env, PORT: String(await freePort()), SANDBOX_PORT: String(await freePort()) } });
    const code = await second.exited;
    expect(code).not.toBe(0);
    const said = second.lines.filter((l) => l.trim() !== '');
    expect(said).toHaveLength(1);
    expect(said[0]).toContain('另一个实例正在运行');
    expect(said[0]).toContain('another instance is running');
    expect(said[0]).toContain(`pid ${main.pid}`);
    // The first one is untouched.
    await waitHttpOk(`http://127.0.0.1:${port}/healthz`, 10_000);

    const worker = bot.tree.find((p) => p.cmd.includes('worker-main.ts'))!;
    process.kill(worker.pid, 'SIGINT');
    expect(await bot.exited).toBe(0);
    await waitGone(bot.tree.map((p) => p.pid), 15_000);
    expect(errorLines(bot.lines)).toEqual([]);
  }, 240_000);
});
