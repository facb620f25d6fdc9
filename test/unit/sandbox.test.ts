// Pure parts of the Lark sandbox: webhook crypto (checked against Lark's published vectors and the SDK),
// the sliding-window limiter and the pbbp2 frame codec.
import { readFileSync } from 'node:fs';
import * as lark from '@larksuiteoapi/node-sdk';
import { describe, expect, it } from 'vitest';
import { decryptEvent, encryptEvent, signWebhook } from '../../src/sandbox/crypto.js';
import { SlidingWindowLimiter } from '../../src/sandbox/rate-limiter.js';
import { decodeFrame, encodeFrame, header } from '../../src/sandbox/ws-protocol.js';

const sample = (name: string): any => JSON.parse(readFileSync(new URL(`../fixtures/lark/${name}`, import.meta.url), 'utf8'));

describe('sandbox crypto', () => {
  it('decrypts the official test vector and the generated webhook request', () => {
    expect(decryptEvent('test key', 'P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk=')).toBe('hello world');
    const req = sample('webhook_request.encrypted_im.message.receive_v1.generated.json');
    const { encrypt } = JSON.parse(req.rawBody);
    expect(JSON.parse(decryptEvent(req.encryptKey, encrypt))).toEqual(sample('im.message.receive_v1.json'));
    const h = req.headers;
    expect(signWebhook(h['x-lark-request-timestamp'], h['x-lark-request-nonce'], req.encryptKey, req.rawBody)).toBe(h['x-lark-signature']);
  });

  it('encrypts so that the SDK AESCipher decrypts it (random IV each time)', () => {
    const a = encryptEvent('sandbox-encrypt-key', '{"schema":"2.0"}');
    const b = encryptEvent('sandbox-encrypt-key', '{"schema":"2.0"}');
    expect(a).not.toBe(b);
    expect(new lark.AESCipher('sandbox-encrypt-key').decrypt(a)).toBe('{"schema":"2.0"}');
  });
});

describe('SlidingWindowLimiter', () => {
  it('allows `limit` hits in any 1 s window and reports the seconds until reset', () => {
    const l = new SlidingWindowLimiter();
    expect([0, 100, 200].map((t) => l.tryHit('k', 3, t).ok)).toEqual([true, true, true]);
    expect(l.tryHit('k', 3, 900)).toEqual({ ok: false, resetSeconds: 1 });
    expect(l.tryHit('other', 3, 900).ok).toBe(true);
    expect(l.tryHit('k', 3, 1001).ok).toBe(true); // the hit at 0 left the window
    expect(l.tryHit('k', 3, 1050).ok).toBe(false); // 100, 200, 1001 are inside
    expect(l.tryHit('k', 0, 1050).ok).toBe(true); // 0 disables
  });
});

describe('pbbp2 frame codec', () => {
  it('round-trips a frame with headers and payload', () => {
    const payload = Buffer.from(JSON.stringify({ code: 200 }));
    const f = decodeFrame(
      encodeFrame({ SeqID: 7, LogID: 9, service: 1, method: 1, headers: [{ key: 'type', value: 'event' }, { key: 'message_id', value: 'm1' }], payload }),
    );
    expect(f).toMatchObject({ SeqID: 7, LogID: 9, service: 1, method: 1 });
    expect(header(f, 'message_id')).toBe('m1');
    expect(Buffer.from(f.payload ?? []).toString()).toBe('{"code":200}');
  });
});
