// The floor for bench/webhook-ack.ts: the least a webhook intake can do, in a process of its own.
// node:http; the signature checked on the raw body; the body decrypted; the message id deduped (in
// memory); one BullMQ job added on REDIS_URL (queue FLOOR_QUEUE, no worker); 200. Prints one JSON
// line { port } when listening; on SIGTERM removes its queue and exits.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { decryptLark, larkSignature } from '../src/bot/webhook.js';

const encryptKey = process.env.FLOOR_ENCRYPT_KEY!;
const connection = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
const queue = new Queue(process.env.FLOOR_QUEUE ?? 'bench-floor', { connection });
const seen = new Set<string>();

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const raw = Buffer.concat(chunks);
    const h = (n: string) => String(req.headers[n] ?? '');
    const answer = (status: number, body = '{}') => res.writeHead(status, { 'content-type': 'application/json' }).end(body);
    if (larkSignature(h('x-lark-request-timestamp'), h('x-lark-request-nonce'), encryptKey, raw) !== h('x-lark-signature')) return answer(401);
    const envelope = JSON.parse(decryptLark(encryptKey, (JSON.parse(raw.toString('utf8')) as { encrypt: string }).encrypt));
    const id = String(envelope.event?.message?.message_id ?? envelope.header?.event_id);
    if (seen.has(id)) return answer(200);
    seen.add(id);
    queue.add('handle-event', { id }, { jobId: `ev-${id}`, removeOnComplete: true }).then(
      () => answer(200),
      () => answer(500),
    );
  });
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(JSON.stringify({ port: (server.address() as AddressInfo).port }) + '\n'));
process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  void queue
    .obliterate({ force: true })
    .catch(() => {})
    .then(() => queue.close())
    .then(() => connection.quit())
    .finally(() => process.exit(0));
});
