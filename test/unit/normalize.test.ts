import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MalformedEvent, normalizeEnvelope } from '../../src/bot/normalize.js';
import { decryptLark, larkSignature } from '../../src/bot/webhook.js';

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../fixtures/lark/${name}`, import.meta.url), 'utf8'));

describe('normalizeEnvelope', () => {
  it('turns the official group message sample into an IncomingMessage with mentions resolved', () => {
    const n = normalizeEnvelope(fixture('im.message.receive_v1.json'));
    expect(n.dedupeKey).toBe('msg:om_5ce6d572455d361153b7cb51da133945');
    expect(n.meta).toMatchObject({ eventType: 'im.message.receive_v1', appId: 'cli_9f5343c580712544', createTimeMs: 1608725989000 });
    expect(n.event).toMatchObject({
      kind: 'message',
      chatType: 'group',
      senderOpenId: 'ou_84aad35d084aa403a838cf73ee18467',
      senderType: 'user',
      text: '@Tom hello',
      commandText: 'hello',
      parentId: 'om_5ce6d572455d361153b7cb5xxfsdfsdfdsf',
    });
  });

  it('reads a form submission from a card callback, with microsecond time converted', () => {
    const n = normalizeEnvelope(fixture('card.action.trigger.form_submit.json'));
    expect(n.event.kind).toBe('card_action');
    if (n.event.kind !== 'card_action') return;
    expect(n.event.formValue).toMatchObject({ Input_lf4fmxwfrd9: '1234' });
    expect(n.event.value).toEqual({ key_1: 'value_1' });
    expect(n.meta.createTimeMs).toBe(1603977298000);
    expect(n.dedupeKey).toMatch(/^evt:/);
  });

  it('keeps other events with their chat', () => {
    const n = normalizeEnvelope(fixture('im.chat.member.bot.added_v1.json'));
    expect(n.event).toMatchObject({ kind: 'other', eventType: 'im.chat.member.bot.added_v1' });
    expect((n.event as { chatId?: string }).chatId).toMatch(/^oc_/);
  });

  it('reads text and images out of a rich-text (post) message', () => {
    const env = fixture('im.message.receive_v1.p2p.derived.json');
    env.event.message.message_type = 'post';
    env.event.message.content = JSON.stringify({
      title: '支部会议',
      content: [[{ tag: 'text', text: '11月20日召开，' }, { tag: 'text', text: '参会15人' }], [{ tag: 'img', image_key: 'img_1' }]],
    });
    const n = normalizeEnvelope(env);
    expect(n.event).toMatchObject({ kind: 'message', text: '支部会议\n11月20日召开，参会15人', imageKeys: ['img_1'] });
  });

  it('rejects what is not a schema 2.0 envelope', () => {
    expect(() => normalizeEnvelope({ type: 'event_callback', event: {} })).toThrow(MalformedEvent);
    expect(() => normalizeEnvelope({ schema: '2.0', header: { event_type: 'x' } })).toThrow(/event_id/);
  });
});

describe('Lark webhook crypto', () => {
  it('decrypts the official test vector and the SDK url_verification vector', () => {
    const v = fixture('aes_decrypt_test_vector.doc.json');
    expect(decryptLark(v.encryptKey, v.encrypt)).toBe(v.plaintext);
    const challenge = JSON.parse(decryptLark('mazhe.nerd', fixture('url_verification.encrypted.node-sdk-test.json').encrypt));
    expect(challenge).toMatchObject({ type: 'url_verification', challenge: '5634b122-c042-4634-bc7f-b07a3c3e77ad' });
  });

  it('computes the signature Lark sends with a webhook', () => {
    const req = fixture('webhook_request.encrypted_im.message.receive_v1.generated.json');
    const h = req.headers;
    expect(larkSignature(h['x-lark-request-timestamp'], h['x-lark-request-nonce'], req.encryptKey, req.rawBody)).toBe(h['x-lark-signature']);
  });
});
