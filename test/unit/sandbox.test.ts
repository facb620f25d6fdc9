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
    expect(l.tryHit('k', 3, 900)).toEqual({ ok: false, resetSeconds: 1, limit: 3 });
    expect(l.tryHit('other', 3, 900).ok).toBe(true);
    expect(l.tryHit('k', 3, 1001).ok).toBe(true); // the hit at 0 left the window
    expect(l.tryHit('k', 3, 1050).ok).toBe(false); // 100, 200, 1001 are inside
    expect(l.tryHit('k', 0, 1050).ok).toBe(true); // 0 disables
  });

  // Lark's tier 4 (message.create / reply): 50/s AND 1000/min per app; either one throttles.
  const LARK = [
    { limit: 50, windowMs: 1000 },
    { limit: 1000, windowMs: 60_000 },
  ];

  it('enforces a per-second and a per-minute window together, with the seconds until the window that refused frees', () => {
    const l = new SlidingWindowLimiter();
    // 1,000 hits at exactly 50/s (one every 20 ms): the per-second window is never exceeded.
    for (let i = 0; i < 1000; i++) expect(l.tryHitAll('app', LARK, i * 20).ok).toBe(true);
    // The next second still has per-second room, but the minute is spent until the hit at 0 leaves it.
    expect(l.tryHitAll('app', LARK, 20_000)).toEqual({ ok: false, resetSeconds: 40, limit: 1000 });
    expect(l.tryHitAll('app', LARK, 59_999)).toEqual({ ok: false, resetSeconds: 1, limit: 1000 });
    expect(l.tryHitAll('app', LARK, 60_000).ok).toBe(true); // the hit at 0 left the minute
    expect(l.tryHitAll('app', LARK, 60_010)).toEqual({ ok: false, resetSeconds: 1, limit: 1000 }); // the one at 20 has not
    expect(l.tryHitAll('app', LARK, 60_020).ok).toBe(true);
  });

  it('refuses on the per-second window alone, and rejected hits count in neither window', () => {
    const l = new SlidingWindowLimiter();
    for (let i = 0; i < 50; i++) expect(l.tryHitAll('app', LARK, i).ok).toBe(true);
    // 51st within the same second: refused by the per-second window (the minute has 950 left).
    expect(l.tryHitAll('app', LARK, 500)).toEqual({ ok: false, resetSeconds: 1, limit: 50 });
    // Hammering while refused does not use up the minute.
    for (let t = 501; t < 1000; t++) expect(l.tryHitAll('app', LARK, t).ok).toBe(false);
    let ok = 50;
    for (let t = 1000; t < 60_000; t += 20) if (l.tryHitAll('app', LARK, t).ok) ok++;
    expect(ok).toBe(1000); // exactly the minute's 1,000, refused ones not counted
    // Both windows full: the answer is the longer wait (the minute's).
    const r = l.tryHitAll('app', LARK, 59_990);
    expect(r.ok).toBe(false);
    expect(r.limit).toBe(1000);
  });

  it('counts any 60-s window, not calendar minutes: a burst at the end of one minute and the start of the next is refused', () => {
    const l = new SlidingWindowLimiter();
    const windows = [
      { limit: 0, windowMs: 1000 }, // per-second off: only the minute matters here
      { limit: 10, windowMs: 60_000 },
    ];
    for (let i = 0; i < 10; i++) expect(l.tryHitAll('k', windows, 59_000 + i).ok).toBe(true);
    expect(l.tryHitAll('k', windows, 61_000)).toEqual({ ok: false, resetSeconds: 58, limit: 10 });
    expect(l.tryHitAll('k', windows, 119_000).ok).toBe(true);
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
