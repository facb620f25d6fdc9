// Urgent push (加急) on notice chases: once a notice's feedback deadline has passed, and urgent push is
// on (URGENT_AFTER_WORKING_DAYS set), 催办 also buzzes each non-acknowledger's chase message with
// Lark's urgent_app, at most once per recipient. The buzz is recorded as an OutboundMessage row
// (purpose 'notice-urgent', key '<noticeId>-<personId>'), which is also the claim that keeps it single.
import type { Deps } from '../deps.js';
import { beijingDay } from '../domain/calendar/working-days.js';
import { classifyLarkError, failureToAppError, type LarkFailure } from '../lark/errors.js';
import { sendUuid } from '../lark/messenger.js';
import { Pacer } from '../lark/pacer.js';

export const NOTICE_URGENT_PURPOSE = 'notice-urgent';

/**
 * urgent_app, like read_users, is limited to 1000/min as well as 50/s per app: 16/s stays under both.
 * One pacer per API and process.
 */
export const PER_MINUTE_API_LIMITS = { appPerSecond: 16, perTargetPerSecond: 0 } as const;
const urgentPacer = new Pacer(PER_MINUTE_API_LIMITS);

/** Failed buzzes that a later run may try again (the earlier call surely did not buzz); at most this many calls. */
const MAX_URGENT_CALLS = 3;

export type ChaseUrgency =
  | { urgent: true; due: Date }
  | { urgent: false; why: 'off' | 'no-deadline'; due?: undefined }
  | { urgent: false; why: 'before-deadline'; due: Date };

/** Whether a chase made at `now` is buzzed. Pure. Notices without a feedback deadline are never buzzed. */
export function chaseUrgency(feedbackDue: Date | null, now: Date, urgentEnabled: boolean): ChaseUrgency {
  if (!feedbackDue) return { urgent: false, why: 'no-deadline' };
  if (!urgentEnabled) return { urgent: false, why: 'off' };
  if (now.getTime() <= feedbackDue.getTime()) return { urgent: false, why: 'before-deadline', due: feedbackDue };
  return { urgent: true, due: feedbackDue };
}

/**
 * One line for the OD: on the status card, whether 催办 will buzz (no counts given); after a click,
 * whether it did (with counts). Pure.
 */
export function urgencyLine(u: ChaseUrgency, o: { buzzing?: number; alreadyBuzzed?: number } = {}): string {
  const clicked = o.buzzing !== undefined;
  if (!u.urgent) {
    const why = u.why === 'before-deadline' ? `反馈截止日期（${beijingDay(u.due)}）过后催办才会加急` : u.why === 'off' ? '本系统未开启加急' : '该通知没有反馈截止日期';
    return `${clicked ? '未使用' : '催办不使用'}飞书加急：${why}。`;
  }
  const passed = `已过反馈截止日期（${beijingDay(u.due)}）`;
  if (!clicked) return `${passed}，催办将同时使用飞书加急。`;
  const again = o.alreadyBuzzed ? `（另有 ${o.alreadyBuzzed} 人此前已加急，不再重复）` : '';
  return o.buzzing ? `${passed}，同时对 ${o.buzzing} 人使用飞书加急${again}。` : `${passed}，未回执的人均已加急过，不再重复加急。`;
}

export function urgentUuid(noticeId: number, personId: number): string {
  return sendUuid(NOTICE_URGENT_PURPOSE, `${noticeId}-${personId}`);
}

/** Of these recipients, how many were buzzed for this notice, and how many were refused for good. */
export async function countBuzzed(deps: Pick<Deps, 'db'>, noticeId: number, personIds: readonly number[]): Promise<{ buzzed: number; refused: number }> {
  const rows = personIds.length
    ? await deps.db.outboundMessage.groupBy({ by: ['status'], where: { uuid: { in: personIds.map((p) => urgentUuid(noticeId, p)) } }, _count: { _all: true } })
    : [];
  const n = (status: string) => rows.find((r) => r.status === status)?._count._all ?? 0;
  return { buzzed: n('SENT'), refused: n('FAILED') };
}

export type BuzzOutcome = 'buzzed' | 'already' | 'failed' | 'unknown';

const retryable = (f: LarkFailure) => f.kind === 'rate_limited' || f.kind === 'retryable';

/**
 * Buzz one recipient's chase message once. An attempt claims the row first (attempts n → n+1 where it
 * is still n), so two runs never both call Lark; an attempt whose outcome is unknown (the process died
 * during the call) is never repeated. A refusal (invalid user, the 200-unread-urgent limit, …) is
 * FAILED and logged; a rate limit or server error is retried by the job, up to MAX_URGENT_CALLS calls.
 */
export async function buzzChase(
  deps: Pick<Deps, 'db' | 'lark' | 'log'>,
  r: { noticeId: number; personId: number; openId: string; messageId: string },
): Promise<BuzzOutcome> {
  const { db } = deps;
  const uuid = urgentUuid(r.noticeId, r.personId);
  const log = deps.log.child({ noticeId: r.noticeId, personId: r.personId, messageId: r.messageId });
  await db.outboundMessage.createMany({ data: [{ uuid, purpose: NOTICE_URGENT_PURPOSE, receiveId: r.openId, msgType: 'urgent_app' }], skipDuplicates: true });
  const row = await db.outboundMessage.findUniqueOrThrow({ where: { uuid } });
  if (row.status === 'SENT') return 'already';
  if (row.status === 'FAILED') return 'failed';
  if (row.attempts > 0 && !row.errorCode) {
    log.warn('an earlier urgent push ended without an answer; not repeated');
    return 'unknown';
  }
  const claimed = await db.outboundMessage.updateMany({
    where: { uuid, status: 'SENDING', attempts: row.attempts },
    data: { attempts: row.attempts + 1, errorCode: null, errorMsg: null, messageId: r.messageId },
  });
  if (claimed.count !== 1) return 'already';
  const finish = (status: 'SENT' | 'FAILED', errorCode?: string, errorMsg?: string) =>
    db.outboundMessage.update({ where: { uuid }, data: { status, errorCode: errorCode ?? null, errorMsg: errorMsg?.slice(0, 500) ?? null } });

  let failure: LarkFailure;
  try {
    await urgentPacer.acquire('urgent_app');
    const res = await deps.lark.im.v1.message.urgentApp({
      path: { message_id: r.messageId },
      params: { user_id_type: 'open_id' },
      data: { user_id_list: [r.openId] },
    });
    if (res.code === 0) {
      if (res.data?.invalid_user_id_list?.length) {
        await finish('FAILED', 'invalid_user', `urgent push refused for ${res.data.invalid_user_id_list.join(',')}`);
        log.warn('urgent push: invalid user id');
        return 'failed';
      }
      await finish('SENT');
      return 'buzzed';
    }
    failure = classifyLarkError(res);
  } catch (err) {
    failure = classifyLarkError(err);
  }
  const code = `${failure.kind}:${'code' in failure ? String(failure.code) : ''}`;
  const e = failureToAppError(failure);
  if (retryable(failure) && row.attempts + 1 < MAX_URGENT_CALLS) {
    await db.outboundMessage.update({ where: { uuid }, data: { errorCode: code, errorMsg: e.message.slice(0, 500) } });
    log.warn({ failure }, 'urgent push failed; the job retries');
    throw e;
  }
  await finish('FAILED', code, e.message);
  log.warn({ failure }, 'urgent push refused; not retried');
  return 'failed';
}

