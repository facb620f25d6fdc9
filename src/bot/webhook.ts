import { createDecipheriv, createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../logger.js';
import type { Intake } from './intake.js';

/**
 * Webhook transport: verify, decode, acknowledge, hand over. Lark's SDK adapter is not used because
 * it accepts forged events without an Encrypt Key, re-stringifies the body before hashing, has no
 * replay window or size limit, and awaits the handler before answering (see lark-platform.md §3b).
 */
export interface WebhookOptions {
  encryptKey: string;
  verificationToken?: string;
  intake: Intake;
  log: Logger;
  maxBodyBytes?: number;
  /** Signed requests whose timestamp is further than this from now are replays. */
  replayWindowSec?: number;
  /** Injected so tests can move time; the transport is not domain code. */
  now?: () => number;
  /** Told of every request refused as unauthenticated (401), e.g. to audit it. Must not throw. */
  onReject?: (reason: string, remote: string | undefined) => void;
}

export function decryptLark(encryptKey: string, encrypted: string): string {
  const key = createHash('sha256').update(encryptKey).digest();
  const buf = Buffer.from(encrypted, 'base64');
  if (buf.length < 32) throw new Error('ciphertext too short');
  const decipher = createDecipheriv('aes-256-cbc', key, buf.subarray(0, 16));
  return Buffer.concat([decipher.update(buf.subarray(16)), decipher.final()]).toString('utf8');
}

export function larkSignature(timestamp: string, nonce: string, encryptKey: string, rawBody: Buffer | string): string {
  return createHash('sha256').update(timestamp + nonce + encryptKey).update(rawBody).digest('hex');
}

type Reply = { status: number; body: unknown };

/** How long a connection refused as too large stays half-closed, so the client can read the 413. */
const TOO_LARGE_LINGER_MS = 2000;

export function createWebhookHandler(o: WebhookOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const maxBody = o.maxBodyBytes ?? 1024 * 1024;
  const windowSec = o.replayWindowSec ?? 300;
  const now = o.now ?? Date.now;

  const send = (res: ServerResponse, r: Reply) => {
    const body = JSON.stringify(r.body);
    res.writeHead(r.status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };

  // Refused without reading the rest of the body. Node closes a `connection: close` response's socket
  // as soon as the answer is written; with the client's body still arriving that close is a TCP reset,
  // and a client still sending sees ECONNRESET instead of the 413. So the socket is half-closed (the
  // answer and a FIN go out), nothing more is read, and it is reset only after a grace period.
  const tooLarge = (req: IncomingMessage, res: ServerResponse) => {
    const socket = req.socket as IncomingMessage['socket'] & { destroySoon?: () => void };
    req.unpipe();
    req.pause();
    socket.destroySoon = () => {
      socket.end();
      setTimeout(() => socket.destroy(), TOO_LARGE_LINGER_MS).unref();
    };
    const body = JSON.stringify({ code: 413, msg: 'body too large' });
    res.writeHead(413, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), connection: 'close' });
    res.end(body);
  };

  return (req, res) => {
    if (req.method !== 'POST') return send(res, { status: 405, body: { code: 405, msg: 'POST only' } });
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > maxBody) return tooLarge(req, res);

    const chunks: Buffer[] = [];
    let size = 0;
    let aborted = false;
    req.on('data', (c: Buffer) => {
      if (aborted) return;
      size += c.length;
      if (size > maxBody) {
        aborted = true;
        tooLarge(req, res);
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (aborted) return;
      handle(Buffer.concat(chunks), req.headers)
        .then((r) => {
          if (r.status === 401) o.onReject?.((r.body as { msg: string }).msg, req.socket.remoteAddress);
          send(res, r);
        })
        .catch((err) => {
          o.log.error({ err }, 'webhook handling failed');
          send(res, { status: 500, body: { code: 500, msg: 'internal error' } });
        });
    });
    req.on('error', () => {
      aborted = true;
    });
  };

  async function handle(raw: Buffer, headers: IncomingMessage['headers']): Promise<Reply> {
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw.toString('utf8'));
      if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new Error('not an object');
    } catch {
      return { status: 400, body: { code: 400, msg: 'malformed JSON' } };
    }

    const ts = header(headers, 'x-lark-request-timestamp');
    const nonce = header(headers, 'x-lark-request-nonce');
    const sig = header(headers, 'x-lark-signature');
    const signed = ts !== undefined && nonce !== undefined && sig !== undefined;
    if (signed) {
      const expected = Buffer.from(larkSignature(ts, nonce, o.encryptKey, raw), 'hex');
      const given = Buffer.from(sig, 'hex');
      if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
        o.log.warn('webhook: bad signature');
        return { status: 401, body: { code: 401, msg: 'bad signature' } };
      }
      if (!/^\d+$/.test(ts) || Math.abs(now() / 1000 - Number(ts)) > windowSec) {
        o.log.warn({ ts }, 'webhook: timestamp outside the replay window');
        return { status: 401, body: { code: 401, msg: 'stale request' } };
      }
    }

    let envelope: Record<string, unknown> = body;
    if (typeof body.encrypt === 'string') {
      try {
        envelope = JSON.parse(decryptLark(o.encryptKey, body.encrypt));
      } catch {
        return { status: 400, body: { code: 400, msg: 'cannot decrypt' } };
      }
    }

    // The URL check Lark makes when the address is saved in the console: answer within 1 s.
    if (envelope.type === 'url_verification') {
      if (o.verificationToken && envelope.token !== o.verificationToken) return { status: 401, body: { code: 401, msg: 'bad token' } };
      return { status: 200, body: { challenge: envelope.challenge } };
    }
    if (!signed) return { status: 401, body: { code: 401, msg: 'unsigned request' } };

    const result = await o.intake.accept(envelope);
    // Overloaded: say so at once; Lark re-delivers what it did not get 200 for.
    return { status: result.status === 'overloaded' ? 503 : 200, body: result.answer };
  }
}

function header(h: IncomingMessage['headers'], name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}
