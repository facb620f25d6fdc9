// Who has read a notice card. Pushed: Lark's im.message.message_read_v1 (a user read the bot's p2p
// message) sets readAt as it happens. Polled, as the fallback for reads whose event was lost or not
// subscribed: read_users, one call per card, only for cards not yet known to be read and younger
// than 7 days (Lark answers nothing older), paced under Lark's 1000/min; a few inline when the OD asks
// for the status, more in one background job per notice and ten minutes.
import type { Deps } from '../deps.js';
import { classifyLarkError } from '../lark/errors.js';
import { Pacer } from '../lark/pacer.js';
import { PER_MINUTE_API_LIMITS } from './urgent.js';

export const NOTICE_READS_JOB = 'notice-reads';
/** Unread cards /通知 状态 checks itself before answering; with more, a background job checks them all. */
export const INLINE_READ_CHECKS = 20;
/** read_users answers for messages sent within the last 7 days; an hour's margin for the broadcast itself. */
const READ_USERS_WINDOW_MS = 7 * 24 * 3600_000 - 3600_000;
/** One refresh job per notice per this long: repeated status requests share it. */
const REFRESH_BUCKET_MS = 10 * 60_000;
const readUsersPacer = new Pacer(PER_MINUTE_API_LIMITS);

/** Whether read_users can still answer for a notice sent at `sentAt`. Pure. */
export function readsCheckable(sentAt: Date | null, now: Date): boolean {
  return sentAt !== null && now.getTime() - sentAt.getTime() < READ_USERS_WINDOW_MS;
}

/** im.message.message_read_v1: the reader's delivered notice cards among these messages are read. Returns how many. */
export async function markNoticeRead(deps: Pick<Deps, 'db'>, readerOpenId: string, messageIds: readonly string[], readAt: Date): Promise<number> {
  if (!messageIds.length) return 0;
  const res = await deps.db.noticeRecipient.updateMany({
    where: { messageId: { in: [...messageIds] }, readAt: null, person: { larkOpenId: readerOpenId } },
    data: { readAt },
  });
  return res.count;
}

export interface ReadRefresh {
  /** Unread cards left to a background job (0 when all were checked inline). */
  checking: number;
  /** Unread cards too old for read_users: their read status stays as recorded. */
  tooOld: number;
}

function unreadCards(deps: Pick<Deps, 'db'>, noticeId: number) {
  return deps.db.noticeRecipient.findMany({
    where: { noticeId, status: 'SENT', readAt: null, messageId: { not: null } },
    select: { id: true, messageId: true, person: { select: { larkOpenId: true } } },
    orderBy: { id: 'asc' },
  });
}

/** Before the status is shown: check a few unread cards now, or queue the job that checks them all. */
export async function refreshReads(deps: Pick<Deps, 'db' | 'lark' | 'log' | 'queue' | 'clock'>, noticeId: number): Promise<ReadRefresh> {
  const now = deps.clock();
  const notice = await deps.db.notice.findUnique({ where: { id: noticeId }, select: { status: true, sentAt: true } });
  if (notice?.status !== 'SENT') return { checking: 0, tooOld: 0 };
  const rows = await unreadCards(deps, noticeId);
  if (!readsCheckable(notice.sentAt, now)) return { checking: 0, tooOld: rows.length };
  if (rows.length <= INLINE_READ_CHECKS) {
    await checkReads(deps, noticeId, rows);
    return { checking: 0, tooOld: 0 };
  }
  await deps.queue.enqueue(NOTICE_READS_JOB, { noticeId }, { jobId: `notice-reads-${noticeId}-${Math.floor(now.getTime() / REFRESH_BUCKET_MS)}` });
  return { checking: rows.length, tooOld: 0 };
}

/** The background job: every unread card of the notice, while read_users can still answer. Returns how many were found read. */
export async function refreshAllReads(deps: Pick<Deps, 'db' | 'lark' | 'log' | 'clock'>, noticeId: number): Promise<number> {
  const notice = await deps.db.notice.findUnique({ where: { id: noticeId }, select: { status: true, sentAt: true } });
  if (notice?.status !== 'SENT' || !readsCheckable(notice.sentAt, deps.clock())) return 0;
  return checkReads(deps, noticeId, await unreadCards(deps, noticeId));
}

/** read_users for each card, paced; a failure leaves that card unknown (read status is a courtesy). */
async function checkReads(
  deps: Pick<Deps, 'db' | 'lark' | 'log' | 'clock'>,
  noticeId: number,
  rows: { id: number; messageId: string | null; person: { larkOpenId: string | null } }[],
): Promise<number> {
  let found = 0;
  for (const r of rows) {
    for (let attempt = 1; ; attempt++) {
      await readUsersPacer.acquire('read_users');
      try {
        const res = await deps.lark.im.v1.message.readUsers({ path: { message_id: r.messageId! }, params: { user_id_type: 'open_id', page_size: 100 } });
        if (res.code !== 0) throw res;
        const item = res.data?.items?.find((i) => i.user_id === r.person.larkOpenId);
        if (item) {
          const ms = Number(item.timestamp);
          const u = await deps.db.noticeRecipient.updateMany({ where: { id: r.id, readAt: null }, data: { readAt: Number.isFinite(ms) && ms > 0 ? new Date(ms) : deps.clock() } });
          found += u.count;
        }
      } catch (err) {
        const failure = classifyLarkError(err);
        if (failure.kind === 'rate_limited' && attempt < 3) {
          await new Promise((w) => setTimeout(w, failure.retryAfterMs));
          continue;
        }
        deps.log.warn({ noticeId, messageId: r.messageId, failure }, 'read_users failed');
      }
      break;
    }
  }
  return found;
}
