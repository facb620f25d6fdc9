// Three replicas of the bot on one PostgreSQL and one Redis (one queue), against a sandbox that holds
// them to Lark's 1000/min and to 10/s per app: Lark's 50/s scaled down to a fifth (the pacers with
// it, 6/s), because three replicas in one process on this 2-core machine cannot
// outrun 50/s, so a test at 50/s could not fail. Over webhook (behind a round-robin balancer) and over
// long connections (the sandbox hands each event to one connection), 300 users ask for /帮助 and
// the OD sends a notice to 300 people. Lark sees no 429, every reply once, every notice card once.

import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { confirmNotice } from '../../src/notices/service.js';
import { silentLogger } from '../../src/logger.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { sandboxBotEnv } from '../helpers/bot.js';
import { freshDatabase, type FreshDatabase } from '../helpers/db.js';

const N = 300;
/**
 * The pacers' limits for the sandbox's 10/s (Lark's 50/s ÷ 5) and Lark's 1000/min: each replica alone
 * keeps to them. 6/s leaves about 600 ms for the lag between taking a slot and the request reaching
 * the sandbox, which shares this process's event loop with the three replicas on a 2-core machine that
 * is often loaded (at 8/s a load average of 11 gave one 429 in 600 sends). Production's 48 of 50/s
 * leaves 42 ms, enough when the bot is not starved of CPU.
 */
const LIMITS = { appPerSecond: 6, appPerMinute: 985, perTargetPerSecond: 5 };
const TITLE = '关于做好年终党建述职准备的通知';
const users = Array.from({ length: N + 1 }, (_, i) => ({ openId: `ou_rep_${i}`, name: `人员${i}` }));

/** A load balancer in front of the webhook replicas: each request goes to the next one. */
function roundRobin(targets: () => number[]): Promise<{ url: string; close(): Promise<void> }> {
  let next = 0;
  const server = http.createServer((req, res) => {
    const ports = targets();
    const port = ports[next++ % ports.length]!;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const up = http.request({ host: '127.0.0.1', port, path: req.url, method: req.method, headers: req.headers }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      });
      up.on('error', () => (res.writeHead(502), res.end()));
      up.end(Buffer.concat(chunks));
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/lark/events`,
        close: () => new Promise((r) => (server.closeAllConnections(), server.close(() => r()))),
      }),
    ),
  );
}

describe('three replicas, one Lark budget', () => {
  let sandbox: Sandbox;
  let db: FreshDatabase;
  let replicas: App[] = [];
  const queueName = `replicas-${randomBytes(4).toString('hex')}`;

  const startReplicas = async (mode: 'webhook' | 'ws') => {
    const config = loadConfig({ ...sandboxBotEnv(sandbox, db.url, mode), PORT: '0' });
    // Same queue, same database, same Redis: the replicas share the work and the send budget.
    replicas = await Promise.all(
      [0, 1, 2].map(() => startApp({ config, databaseUrl: db.url, log: silentLogger, queueName, pacerScope: queueName, larkLimits: LIMITS, workerConcurrency: 16, reminderCron: false })),
    );
    await Promise.all(replicas.map((r) => r.ready));
  };
  const stopReplicas = async () => {
    await Promise.all(replicas.map((r) => r.close(5000)));
    replicas = [];
  };

  /** Users `from`…`to - 1` each send /帮助 at once; resolves when each has its answer. Returns their message ids. */
  async function everyoneAsks(from: number, to: number): Promise<string[]> {
    const ids = await Promise.all(users.slice(from, to).map((u) => sandbox.userSends({ from: u.openId, text: '/帮助' })));
    await Promise.all(ids.map((id) => sandbox.waitFor((m) => m.parentId === id, 200_000)));
    return ids;
  }

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, delivery: { mode: 'none' }, users, rateLimit: { appPerSecond: 10, appPerMinute: 1000 } });
    db = await freshDatabase('replicas');
    await db.prisma.$executeRawUnsafe(`INSERT INTO "Unit" (id, code, name, kind, "updatedAt") VALUES (1, 'OD', '区委组织部', 'OD', now()), (2, 'U2', '第一单位', 'TOWN', now())`);
    await db.prisma.$executeRawUnsafe(`INSERT INTO "Person" (id, code, name, "unitId", role, "larkOpenId", "updatedAt") VALUES (1000000, 'P0', '组织部', 1, 'OD_STAFF', 'ou_rep_0', now())`);
    await db.prisma.$executeRawUnsafe(`
      INSERT INTO "Person" (id, code, name, "unitId", role, "larkOpenId", "updatedAt")
      SELECT p, 'P' || p, '人员' || p, 2, 'MEMBER', 'ou_rep_' || p, now() FROM generate_series(1, ${N}) p`);
  });
  afterAll(async () => {
    await stopReplicas();
    await sandbox?.close();
    await db?.drop();
  });

  it('over webhook behind a balancer: 150 answers and a notice to 300 at once, no 429, each once; one scheduler per job name', async () => {
    await startReplicas('webhook');
    const balancer = await roundRobin(() => replicas.map((r) => r.port));
    sandbox.setDelivery({ mode: 'webhook', url: balancer.url });
    try {
      const notice = await db.prisma.notice.create({ data: { title: TITLE, body: '请于12月20日前报送述职材料。', createdById: 1000000, audience: { scope: 'ALL', role: 'ANY' }, ackRequired: true } });
      await db.prisma.$executeRawUnsafe(`INSERT INTO "NoticeRecipient" ("noticeId", "personId", "updatedAt") SELECT ${notice.id}, p, now() FROM generate_series(1, ${N}) p`);
      // Confirmed twice, from two replicas (as a double click could land): still one card each.
      const [a, b] = await Promise.all([confirmNotice(replicas[0]!.deps, notice.id), confirmNotice(replicas[1]!.deps, notice.id)]);
      expect([a.first, b.first].filter(Boolean)).toHaveLength(1);

      const asked = await everyoneAsks(1, 151);
      const until = Date.now() + 200_000;
      while ((await db.prisma.noticeRecipient.count({ where: { noticeId: notice.id, status: 'PENDING' } })) > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 200));

      const cards = sandbox.sent().filter((m) => m.kind === 'create' && JSON.stringify(m.content).includes(TITLE));
      expect(new Set(cards.map((c) => c.toOpenId)).size).toBe(N);
      expect(cards).toHaveLength(N);
      for (const id of asked) expect(sandbox.sent().filter((m) => m.parentId === id)).toHaveLength(1);
      expect(sandbox.stats()).toMatchObject({ rateLimited: 0, appRateLimited: 0, duplicateUuids: 0 });

      const schedulers = await replicas[0]!.deps.queue.queue.getJobSchedulers();
      const names = schedulers.map((s) => s.key);
      expect(names.length).toBeGreaterThan(0);
      expect(new Set(names).size).toBe(names.length);
    } finally {
      await balancer.close();
      await stopReplicas();
    }
  }, 300_000);

  it('over long connections (three of them): 150 more answers, no 429, each once', async () => {
    sandbox.setDelivery({ mode: 'ws' });
    await startReplicas('ws');
    const before = sandbox.stats();
    const asked = await everyoneAsks(151, N + 1);
    for (const id of asked) expect(sandbox.sent().filter((m) => m.parentId === id)).toHaveLength(1);
    expect(sandbox.stats()).toMatchObject({ rateLimited: before.rateLimited, appRateLimited: 0, duplicateUuids: 0 });
  }, 200_000);
});
