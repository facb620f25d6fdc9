import { describe, expect, it } from 'vitest';
import { normalizeEnvelope } from '../../src/bot/normalize.js';
import { readsCheckable } from '../../src/notices/reads.js';
import { chaseUrgency, urgencyLine } from '../../src/notices/urgent.js';

const due = new Date('2026-11-27T15:59:59.999Z'); // end of 2026-11-27, Beijing

describe('chaseUrgency', () => {
  it('buzzes only when urgent push is on and the feedback deadline has passed', () => {
    const after = new Date('2026-11-28T01:00:00Z');
    expect(chaseUrgency(due, after, true)).toEqual({ urgent: true, due });
    expect(chaseUrgency(due, after, false)).toEqual({ urgent: false, why: 'off' });
    expect(chaseUrgency(due, due, true)).toEqual({ urgent: false, why: 'before-deadline', due });
    expect(chaseUrgency(null, after, true)).toEqual({ urgent: false, why: 'no-deadline' });
  });
});

describe('urgencyLine', () => {
  it('tells the OD, before and after the click, whether 催办 buzzes', () => {
    const on = chaseUrgency(due, new Date('2026-11-30T02:00:00Z'), true);
    expect(urgencyLine(on)).toBe('已过反馈截止日期（2026-11-27），催办将同时使用飞书加急。');
    expect(urgencyLine(on, { buzzing: 3, alreadyBuzzed: 2 })).toBe('已过反馈截止日期（2026-11-27），同时对 3 人使用飞书加急（另有 2 人此前已加急，不再重复）。');
    expect(urgencyLine(on, { buzzing: 0, alreadyBuzzed: 5 })).toBe('已过反馈截止日期（2026-11-27），未回执的人均已加急过，不再重复加急。');
    expect(urgencyLine(chaseUrgency(due, due, false), { buzzing: 0 })).toBe('未使用飞书加急：本系统未开启加急。');
    expect(urgencyLine(chaseUrgency(null, due, true))).toBe('催办不使用飞书加急：该通知没有反馈截止日期。');
    expect(urgencyLine(chaseUrgency(due, due, true), { buzzing: 0 })).toBe('未使用飞书加急：反馈截止日期（2026-11-27）过后催办才会加急。');
  });
});

describe('readsCheckable', () => {
  it('asks read_users only about notices sent within the last 7 days (less an hour for the broadcast)', () => {
    const sent = new Date('2026-11-20T02:00:00Z');
    expect(readsCheckable(sent, new Date('2026-11-26T02:00:00Z'))).toBe(true);
    expect(readsCheckable(sent, new Date('2026-11-27T01:30:00Z'))).toBe(false);
    expect(readsCheckable(null, sent)).toBe(false);
  });
});

describe('normalizeEnvelope: im.message.message_read_v1', () => {
  it('reads the reader, the read time and the messages (shape of the SDK 1.74.0 typings)', () => {
    const n = normalizeEnvelope({
      schema: '2.0',
      header: { event_id: 'e1', event_type: 'im.message.message_read_v1', create_time: '1764120000000', token: 't', app_id: 'cli_x', tenant_key: 'tk' },
      event: {
        reader: { reader_id: { union_id: 'on_1', user_id: 'u1', open_id: 'ou_reader' }, read_time: '1764120001234', tenant_key: 'tk' },
        message_id_list: ['om_a', 'om_b'],
      },
    });
    expect(n.dedupeKey).toBe('evt:e1');
    expect(n.event).toEqual({ kind: 'message_read', readerOpenId: 'ou_reader', readTimeMs: 1764120001234, messageIds: ['om_a', 'om_b'] });
  });
});
