// Three replicas' send pacers on one real Redis draw on one budget: together they stay within the
// per-second limit that each of them would use alone.

import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { SharedPacer } from '../../src/lark/shared-pacer.js';
import { redisUrl } from '../helpers/bot.js';

/** The largest number of instants in any one-second window. */
function maxPerSecond(times: number[]): number {
  const s = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < s.length; i++) {
    while (s[i]! - s[j]! >= 1000) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

describe('SharedPacer: one Lark budget for several replicas, in Redis', () => {
  const scope = `test-${randomBytes(4).toString('hex')}`;
  const limits = { appPerSecond: 40, appPerMinute: 985, perTargetPerSecond: 5 };
  const replicas = [0, 1, 2].map(() => new SharedPacer(redisUrl(), scope, limits));
  afterAll(async () => Promise.all(replicas.map((p) => p.close())));

  it('three replicas sending 120 messages at once together send at most 40 in any second (not 3 × 40)', async () => {
    const t0 = Date.now();
    const sentAt = await Promise.all(
      Array.from({ length: 120 }, (_, i) => replicas[i % 3]!.acquire(`ou_${i}`, Date.now, 'bulk')),
    );
    const took = Date.now() - t0;
    // 120 sends spaced evenly at 40/s take at least 119 intervals of 25 ms.
    expect(took).toBeGreaterThanOrEqual(119 * 25 - 50);
    expect(maxPerSecond(sentAt)).toBe(40); // instants on Redis's clock, which every replica shares
  });

  it('paces one recipient at 5 per second across replicas', async () => {
    const sentAt = await Promise.all(
      Array.from({ length: 10 }, (_, i) => replicas[i % 3]!.acquire('ou_same_person', Date.now, 'interactive')),
    );
    expect(maxPerSecond(sentAt)).toBe(5);
    expect(Math.max(...sentAt) - Math.min(...sentAt)).toBeGreaterThanOrEqual(9 * 230); // TARGET_WINDOW_MS / 5 apart
  });
});
