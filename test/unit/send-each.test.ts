import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.js';
import { sendToEach } from '../../src/lark/send-each.js';

const people = [
  { id: 1, name: '甲', larkOpenId: 'ou_1' },
  { id: 2, name: '乙', larkOpenId: null },
  { id: 3, name: '丙', larkOpenId: 'ou_3' },
  { id: 4, name: '丁', larkOpenId: 'ou_4' },
];

describe('sendToEach', () => {
  it('one unreachable person does not stop the others, under either policy', async () => {
    for (const policy of ['retry-transient', 'report-all'] as const) {
      const sent: string[] = [];
      const r = await sendToEach(people, async (openId) => {
        if (openId === 'ou_3') throw new AppError('lark_unreachable_target', 'user resigned');
        sent.push(openId);
      }, policy);
      expect(sent).toEqual(['ou_1', 'ou_4']);
      expect(r.reached.map((p) => p.name)).toEqual(['甲', '丁']);
      expect(r.notReached.map((p) => p.name)).toEqual(['乙', '丙']);
    }
  });

  it('a transient failure is rethrown for the job to retry, or reported to the user now', async () => {
    const flaky = async (openId: string) => {
      if (openId === 'ou_3') throw new AppError('lark_server_error', '5xx');
    };
    await expect(sendToEach(people, flaky, 'retry-transient')).rejects.toThrow('5xx');
    const r = await sendToEach(people, flaky, 'report-all');
    expect(r.notReached.map((p) => p.name)).toEqual(['乙', '丙']);
  });
});
