// Reliability §7.7: a body too large for the webhook is refused with 413 while it is still arriving,
// whether its length is declared (Content-Length) or not (chunked), and the bot's memory does not grow
// with what was sent. The bot's intake runs in a process of its own (test/helpers/intake-child.ts) so
// that its memory is measured alone: resident set from /proc, heap from its /metrics.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import readline from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { sandboxBotEnv } from '../helpers/bot.js';
import { freshDatabase, type FreshDatabase } from '../helpers/db.js';

const MiB = 1024 * 1024;
const BODY = 5 * MiB;
const CHUNK = Buffer.alloc(64 * 1024, 'x'); // one buffer, written again and again: the client holds 64 KiB

interface Post {
  status: number;
  body: string;
  /** Body bytes the client had handed to its socket when the answer arrived. */
  writtenAtAnswer: number;
  /** The connection header of the answer ('close': the bot will not read the rest). */
  connection: string | undefined;
}

/**
 * POSTs 5 MiB of body: with `length`, a Content-Length of 5 MiB; without, chunked (no length). The
 * client sends at about 30 MiB/s (64 KiB every 2 ms), as a fast sender on a network would, so that the
 * moment the answer comes shows how far into the body the bot was (loopback kernel buffers would
 * otherwise swallow megabytes in an instant), and stops sending once answered.
 */
function post5MiB(port: number, length: boolean): Promise<Post> {
  return new Promise((resolve, reject) => {
    let written = 0;
    let writtenAtAnswer = -1;
    const req = http.request({
      host: '127.0.0.1',
      port,
      path: '/lark/events',
      method: 'POST',
      agent: false,
      headers: { 'content-type': 'application/json', ...(length ? { 'content-length': String(BODY) } : {}) },
    });
    req.on('response', (res) => {
      writtenAtAnswer = written;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), writtenAtAnswer, connection: res.headers.connection });
        req.destroy();
      });
    });
    req.on('error', (err) => {
      if (writtenAtAnswer < 0) reject(new Error(`no answer after ${written} bytes: ${err.message}`));
    });
    req.flushHeaders();
    void (async () => {
      while (written < BODY && writtenAtAnswer < 0 && !req.destroyed) {
        if (!(await new Promise<boolean>((r) => req.write(CHUNK, (err) => r(!err))))) return;
        written += CHUNK.length;
        await new Promise((r) => setTimeout(r, 2));
      }
      if (written >= BODY && writtenAtAnswer < 0) req.end();
    })();
  });
}

/** The bot process's resident set (VmRSS), in bytes. */
function rss(pid: number): number {
  const kb = Number(readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB$/m)?.[1]);
  return kb * 1024;
}

async function metric(port: number, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(name));
  return Number(line?.split(' ').pop());
}

describe('reliability §7.7: oversized webhook bodies', () => {
  let sandbox: Sandbox;
  let db: FreshDatabase;
  let child: ChildProcess;
  let port: number;

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, delivery: { mode: 'none' } });
    db = await freshDatabase('webhook_limits');
    child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/intake-child.ts'], {
      env: { ...process.env, ...sandboxBotEnv(sandbox, db.url), QUEUE: `limits-${randomBytes(4).toString('hex')}` },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const first = await readline.createInterface({ input: child.stdout! })[Symbol.asyncIterator]().next();
    port = (JSON.parse(first.value as string) as { port: number }).port;
  });
  afterAll(async () => {
    child?.kill('SIGKILL');
    await sandbox?.close();
    await db?.drop();
  });

  it('reliability §7.7: a declared 5 MiB body gets exactly 413 before any of it is sent', async () => {
    const r = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, path: '/lark/events', method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'content-length': String(BODY) } });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
          req.destroy();
        });
      });
      req.on('error', reject);
      req.flushHeaders(); // headers only: not one byte of the body
    });
    expect(r).toEqual({ status: 413, body: JSON.stringify({ code: 413, msg: 'body too large' }) });
  });

  it('reliability §7.7: a chunked 5 MiB body (no Content-Length) gets 413 once 1 MiB has arrived, and the rest is not read', async () => {
    const r = await post5MiB(port, false);
    expect(r.status).toBe(413);
    expect(JSON.parse(r.body)).toEqual({ code: 413, msg: 'body too large' });
    // The answer came while the client was little past the 1 MiB limit, and it could not send the rest.
    expect(r.writtenAtAnswer).toBeGreaterThan(1 * MiB);
    expect(r.writtenAtAnswer).toBeLessThan(2 * MiB);
    expect(r.connection).toBe('close');
    expect(await db.prisma.inboundEvent.count()).toBe(0);
  });

  it('reliability §7.7: memory stays flat over 20 such posts at once, twice over (resident set and heap of the bot process)', async () => {
    const pid = child.pid!;
    await Promise.all(Array.from({ length: 4 }, (_, i) => post5MiB(port, i % 2 === 0))); // warm up
    const rssBefore = rss(pid);
    const heapBefore = await metric(port, 'dangjian_nodejs_heap_size_used_bytes');
    let rssPeak = rssBefore;
    const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rss(pid))), 10);
    const results: Post[] = [];
    try {
      for (let round = 0; round < 2; round++) {
        results.push(...(await Promise.all(Array.from({ length: 20 }, (_, i) => post5MiB(port, i % 2 === 0)))));
      }
    } finally {
      clearInterval(sampler);
    }
        const heapAfter = await metric(port, 'dangjian_nodejs_heap_size_used_bytes');
    const figures = { rssBefore, rssPeak, heapBefore, heapAfter, mostWrittenAtAnswer: Math.max(...results.map((r) => r.writtenAtAnswer)) };
    console.log(`§7.7 memory over 40 posts of 5 MiB (20 at a time; 200 MiB offered), MiB: ${JSON.stringify(Object.fromEntries(Object.entries(figures).map(([k, v]) => [k, +(v / MiB).toFixed(1)])))}`);
    expect(results.map((r) => r.status)).toEqual(results.map(() => 413));
    // Buffering the bodies would hold 100 MiB during each round; reading stops at 1 MiB per request
    // (20 MiB for 20 at once, plus socket buffers; the allocator keeps what it took, so after ≈ peak).
    expect(rssPeak - rssBefore).toBeLessThan(64 * MiB);
    expect(heapAfter - heapBefore).toBeLessThan(16 * MiB);
    expect(await metric(port, 'dangjian_webhook_rejected_total{reason="too_large"}')).toBeGreaterThanOrEqual(45);
  });
});
