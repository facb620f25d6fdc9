// Sending one message to each of several people, where one person who cannot be reached must not stop
// the others. What a failure means is the caller's policy:
// - 'retry-transient' (a queued job): an unreachable person (left, blocked the bot, out of scope) is
//   skipped; any other failure is rethrown so the job runs again, and the send uuids keep the people
//   already reached from getting a second copy.
// - 'report-all' (a command answering its user now): every failure is kept and returned, so the user is
//   told whom the message did not reach.
import { isAppError } from '../errors.js';
import type { Logger } from '../logger.js';

export interface Recipient {
  id: number;
  larkOpenId: string | null;
}

export interface SendEachResult<P> {
  reached: P[];
  notReached: P[];
}

export async function sendToEach<P extends Recipient>(
  people: readonly P[],
  send: (openId: string, person: P) => Promise<void>,
  policy: 'retry-transient' | 'report-all',
  log?: Logger,
): Promise<SendEachResult<P>> {
  const result: SendEachResult<P> = { reached: [], notReached: [] };
  for (const p of people) {
    if (!p.larkOpenId) {
      result.notReached.push(p);
      continue;
    }
    try {
      await send(p.larkOpenId, p);
      result.reached.push(p);
    } catch (err) {
      if (policy === 'retry-transient' && !isAppError(err, 'lark_unreachable_target')) throw err;
      log?.warn({ personId: p.id, code: isAppError(err) ? err.code : 'unknown' }, 'message not delivered to one recipient');
      result.notReached.push(p);
    }
  }
  return result;
}
