// Webhook transport: POST the envelope to the bot's URL the way Lark does (lark-platform.md §3b):
// body {"encrypt": base64(iv || AES-256-CBC)}, headers X-Lark-Request-Timestamp / -Nonce / -Signature.
import { encryptEvent, hex, signWebhook } from './crypto.js';
import type { PushResult, Transport } from './delivery.js';
import type { Envelope } from './events.js';

export class WebhookTransport implements Transport {
  readonly name = 'webhook';

  constructor(
    private readonly url: string,
    private readonly encryptKey: string,
  ) {}

  async push(env: Envelope, timeoutMs: number): Promise<PushResult> {
    const plain = JSON.stringify(env);
    const rawBody = this.encryptKey ? JSON.stringify({ encrypt: encryptEvent(this.encryptKey, plain) }) : plain;
    const timestamp = String(Math.floor(Date.now() / 1000));
    const nonce = hex(8);
    const headers: Record<string, string> = {
      'Content-Type': 'application/json; charset=utf-8',
      'User-Agent': 'Lark-Open-Platform-Sandbox',
      'X-Lark-Request-Timestamp': timestamp,
      'X-Lark-Request-Nonce': nonce,
    };
    if (this.encryptKey) headers['X-Lark-Signature'] = signWebhook(timestamp, nonce, this.encryptKey, rawBody);
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), timeoutMs);
    try {
      const res = await fetch(this.url, { method: 'POST', headers, body: rawBody, signal: ac.signal });
      const text = await res.text();
      if (res.status !== 200) return { ok: false, reason: `HTTP ${res.status}` };
      return { ok: true, answer: parseAnswer(text) };
    } catch (e) {
      return { ok: false, reason: ac.signal.aborted ? `no answer within ${timeoutMs} ms` : `POST failed: ${(e as Error).message}` };
    } finally {
      clearTimeout(timer);
    }
  }
}

export function parseAnswer(text: string): unknown {
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
