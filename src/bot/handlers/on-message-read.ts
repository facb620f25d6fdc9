import { markNoticeRead } from '../../notices/reads.js';
import type { EventHandler } from '../events.js';

/** A user read the bot's direct messages: their notice cards among them count as read (docs/notices.md). */
export const onMessageRead: EventHandler = async (n, deps, log) => {
  if (n.event.kind !== 'message_read') return;
  const e = n.event;
  const marked = await markNoticeRead(deps, e.readerOpenId, e.messageIds, new Date(e.readTimeMs));
  if (marked) log.debug({ reader: e.readerOpenId, marked }, 'notice cards read');
};
