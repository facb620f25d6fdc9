// Processes the tests start for real (npm start, the compiled bot): their output line by line, the
// tree of processes under them, and free ports to give them.

import { spawn, execFileSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import net from 'node:net';

export interface Started {
  child: ChildProcess;
  /** Every line printed so far (stdout and stderr). */
  lines: string[];
  /** Resolves with the first line (already printed or still to come) that matches. */
  waitForLine(match: (line: string) => boolean, timeoutMs?: number): Promise<string>;
  /** Resolves with the exit code (or signal name) once the process has exited. */
  exited: Promise<number | string>;
}

export function start(cmd: string, args: string[], opts: SpawnOptions): Started {
  const child = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const waiters = new Set<(line: string) => void>();
  for (const stream of [child.stdout!, child.stderr!]) {
    let rest = '';
    stream.on('data', (chunk: Buffer) => {
      const parts = (rest + chunk.toString()).split('\n');
      rest = parts.pop()!;
      for (const line of parts) {
        lines.push(line);
        for (const w of waiters) w(line);
      }
    });
  }
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  return {
    child,
    lines,
    exited,
    waitForLine(match, timeoutMs = 120_000) {
      const seen = lines.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => {
          waiters.delete(w);
          reject(new Error(`no matching line after ${timeoutMs} ms; output:\n${lines.slice(-30).join('\n')}`));
        }, timeoutMs);
        const w = (line: string) => {
          if (!match(line)) return;
          clearTimeout(t);
          waiters.delete(w);
          resolve(line);
        };
        waiters.add(w);
        void exited.then((code) => {
          if (!waiters.has(w)) return;
          clearTimeout(t);
          waiters.delete(w);
          reject(new Error(`exited (${code}) before a matching line; output:\n${lines.slice(-30).join('\n')}`));
        });
      });
    },
  };
}

/** The pids of every process under `pid` (children, their children, …), with their command lines. */
export function descendants(pid: number): { pid: number; cmd: string }[] {
  const rows = execFileSync('ps', ['-e', '-o', 'pid=,ppid=,args='], { encoding: 'utf8' })
    .split('\n')
    .map((l) => l.trim().match(/^(\d+)\s+(\d+)\s+(.*)$/))
    .filter((m): m is RegExpMatchArray => m !== null)
    .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), cmd: m[3]! }));
  const out: { pid: number; cmd: string }[] = [];
  const walk = (p: number) => {
    for (const r of rows) if (r.ppid === p) (out.push({ pid: r.pid, cmd: r.cmd }), walk(r.pid));
  };
  walk(pid);
  return out;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Resolves once none of the pids is alive; rejects with the survivors after `timeoutMs`. */
export async function waitGone(pids: number[], timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const left = pids.filter(isAlive);
    if (!left.length) return;
    if (Date.now() > until) throw new Error(`still running: ${left.join(', ')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Polls `url` until it answers 200; returns the body. */
export async function waitHttpOk(url: string, timeoutMs = 120_000, alive: () => boolean = () => true): Promise<string> {
  const until = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < until && alive()) {
    try {
      const res = await fetch(url);
      last = `${res.status} ${await res.text()}`;
      if (res.ok) return last.slice(4);
    } catch (err) {
      last = String(err);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not answer 200: ${last}`);
}

/** The environment of the test process without the settings that would point a bot at shared services. */
export function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(DATABASE_URL|REDIS_URL|LARK_|PORT$|SANDBOX_PORT$|DATA_DIR$|EMBEDDED_PG_PORT$|LOG_LEVEL$|WORKER_PROCESSES$|NODE_ENV$|VITEST)/.test(k)) continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}
