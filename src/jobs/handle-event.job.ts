import { z } from 'zod';
import { EVENT_HANDLERS } from '../bot/events.js';
import type { Normalized } from '../bot/normalize.js';
import { isPermanentError } from '../errors.js';
import { message } from '../templates/render.js';
import { defineJob } from './job.js';

/**
 * The job id of a stored event: from its Lark identity (message_id or event_id), not the row id, so
 * it never collides with a finished job of another database (a restore, a re-created database).
 */
export function eventJobId(dedupeKey: string): string {
  return `ev-${dedupeKey.replace(/[^A-Za-z0-9_-]/g, '-')}`;
}

/**
 * Run the handler of one stored inbound event; mark it done. Re-runs of a done event do nothing.
 * A failure that will not be retried (the last attempt, or an error no retry can fix, such as Lark
 * refusing the reply) marks the row FAILED with its reason and tells the sender at once.
 */
export const handleEventJob = defineJob({
  name: 'handle-event',
  schema: z.object({ inboundId: z.number().int().positive() }),
  async run({ inboundId }, { deps, log, finalAttempt }) {
    const row = await deps.db.inboundEvent.findUnique({ where: { id: inboundId } });
    if (!row || row.status !== 'RECEIVED') return { skipped: row?.status ?? 'missing' };
    const n = row.payload as unknown as Normalized;
    const elog = log.child({ eventId: n.meta.eventId, eventType: n.meta.eventType });
    const handler = EVENT_HANDLERS[n.meta.eventType];
    try {
      if (handler) await handler(n, deps, elog);
    } catch (err) {
      if (finalAttempt || isPermanentError(err)) {
        await deps.db.inboundEvent.update({ where: { id: inboundId }, data: { status: 'FAILED', error: String(err).slice(0, 2000) } });
        if (n.event.kind === 'message') {
          await deps.messenger
            .text({ chatId: n.event.chatId }, message('internal-error', { contact: deps.config.odContact }), {
              purpose: 'error',
              key: n.event.messageId,
              replyTo: n.event.messageId,
            })
            .catch((e) => elog.error({ err: e }, 'could not tell the user about the failure'));
        }
      }
      throw err;
    }
    await deps.db.inboundEvent.update({ where: { id: inboundId }, data: { status: 'DONE', doneAt: deps.clock() } });
    return { done: true };
  },
});
