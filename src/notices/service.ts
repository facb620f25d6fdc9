// Notices (通知): draft with a fixed recipient list, confirm once (DRAFT → SENT with updateMany), one
// queue job per recipient, receipts (已阅/收到 clicks; reads in reads.ts), and a chase of the
// non-acknowledgers, buzzed after the deadline (urgent.ts). See docs/notices.md.
import { audit } from '../access/audit.js';
import { can, refusal } from '../access/policy.js';
import type { Deps } from '../deps.js';
import { AppError, isAppError } from '../errors.js';
import { beijingDay, beijingEndOfDay } from '../domain/calendar/working-days.js';
import { planNoticeFeedback } from '../domain/notices/feedback.js';
import { classifyLarkError, failureReasonZh } from '../lark/errors.js';
import { insertPlanned } from '../obligations/insert.js';
import { describeAudience, parseAudience, resolveAudience, splitUnitNames, unknownUnits, type Audience, type RoleFilter, type UnitScope } from './audience.js';
import { noticeCard, noticeChaseCard, type NoticeStatusView, type UnitNoticeCounts } from './cards.js';
import { refreshReads } from './reads.js';
import { buzzChase, chaseUrgency, countBuzzed, type BuzzOutcome, type ChaseUrgency } from './urgent.js';

export const SEND_NOTICE_JOB = 'send-notice';
export const CHASE_NOTICE_JOB = 'chase-notice';
export const NOTICE_PURPOSE = 'notice';
export const NOTICE_CHASE_PURPOSE = 'notice-chase';

type Person = { id: number; role: Parameters<typeof can>[0]; larkOpenId: string | null };

/** OD staff only; anyone else gets the policy's one-line refusal (audited as deny by the caller). */
export function requireNoticeSender(person: Person): void {
  if (!can(person.role, 'notice.send')) throw new AppError('forbidden', refusal('notice.send'));
}

/** A notice action's outcome (refusals of card actions are audited by the card-action handler). */
export async function auditNotice(deps: Pick<Deps, 'db'>, actorId: string, action: string, result: 'ok' | 'deny' | 'error', detail: Record<string, unknown>) {
  await audit(deps.db, { actorId, action, result, detail });
}

const str = (v: unknown) => (typeof v === 'string' ? v : Array.isArray(v) ? String(v[0] ?? '') : '').trim();

/** The submitted form as a draft notice with its recipients fixed now (the preview shows their exact number). */
export async function createDraft(deps: Pick<Deps, 'db' | 'clock'>, creator: Person, form: Record<string, unknown>) {
  const title = str(form.title);
  const body = str(form.body);
  const scope = (str(form.scope) || 'ALL') as UnitScope;
  const role = (str(form.role) || 'ANY') as RoleFilter;
  const problems: string[] = [];
  if (!title) problems.push('请填写标题');
  if (!body) problems.push('请填写正文');
  if (title.length > 100) problems.push('标题不超过100字');
  if (body.length > 5000) problems.push('正文不超过5000字');
  const audience: Audience = parseAudience({ scope, role, units: splitUnitNames(str(form.units)) });
  if (audience.scope === 'UNITS') {
    if (!audience.units?.length) problems.push('选择"指定单位"时请填写单位名称');
    else {
      const unknown = await unknownUnits(deps.db, audience.units);
      if (unknown.length) problems.push(`找不到单位：${unknown.join('、')}`);
    }
  }
  // 反馈截止日期: the date picker sends '2026-12-05 +0800'; due by the end of that Beijing day.
  const dueText = str(form.feedbackDue);
  let feedbackDue: Date | null = null;
  if (dueText) {
    const day = /^(\d{4}-\d{2}-\d{2})/.exec(dueText)?.[1];
    if (!day || Number.isNaN(beijingEndOfDay(day).getTime())) problems.push('反馈截止日期应为日期，例如 2026-12-05');
    else if (day < beijingDay(deps.clock())) problems.push('反馈截止日期不能早于今天');
    else feedbackDue = beijingEndOfDay(day);
  }
  if (problems.length) throw new AppError('bad_input', `通知没有保存：${problems.join('；')}。请重新填写。`);
  const people = await resolveAudience(deps.db, audience);
  const ackRequired = str(form.ack) !== 'no';
  const notice = await deps.db.$transaction(async (tx) => {
    const n = await tx.notice.create({ data: { title, body, createdById: creator.id, audience: audience as object, ackRequired, feedbackDue } });
    await tx.noticeRecipient.createMany({ data: people.map((p) => ({ noticeId: n.id, personId: p.id })), skipDuplicates: true });
    return n;
  });
  return { notice, recipients: people.length, audience: describeAudience(audience) };
}

export function noticeJobId(noticeId: number, personId: number): string {
  return `notice-${noticeId}-${personId}`;
}

/**
 * 确认发送. Only the caller whose updateMany flips DRAFT → SENT "sent" it; every caller (a double click,
 * a re-delivered callback, a second OD) then enqueues the still-PENDING recipients, which adds nothing
 * when the jobs exist (deterministic ids) and resumes a confirm that died between the flip and the enqueue.
 */
export async function confirmNotice(deps: Pick<Deps, 'db' | 'queue' | 'clock'>, noticeId: number): Promise<{ first: boolean; queued: number }> {
  const flipped = await deps.db.notice.updateMany({ where: { id: noticeId, status: 'DRAFT' }, data: { status: 'SENT', sentAt: deps.clock() } });
  await createFeedbackObligations(deps, noticeId);
  const pending = await deps.db.noticeRecipient.findMany({ where: { noticeId, status: 'PENDING' }, select: { personId: true }, orderBy: { id: 'asc' } });
  await deps.queue.enqueueMany(pending.map((r) => ({ name: SEND_NOTICE_JOB, data: { noticeId, personId: r.personId }, jobId: noticeJobId(noticeId, r.personId) })));
  return { first: flipped.count === 1, queued: pending.length };
}

/**
 * The send jobs of every confirmed notice's PENDING recipients, again (at most `limit`): jobs that exist
 * are left alone (deterministic ids), jobs lost with Redis are queued anew, and jobs kept as failed while
 * their recipient is still PENDING (stalled past the limit by workers that died: no final attempt marked
 * it FAILED) are retried. `pending` is how many were looked at, `revived` how many were failed jobs.
 */
export async function resumeNotices(deps: Pick<Deps, 'db' | 'queue'>, limit = 10_000): Promise<{ pending: number; revived: number }> {
  const pending = await deps.db.noticeRecipient.findMany({
    where: { status: 'PENDING', notice: { status: 'SENT' } },
    select: { noticeId: true, personId: true },
    orderBy: { id: 'asc' },
    take: limit,
  });
  const jobs = pending.map((r) => ({ name: SEND_NOTICE_JOB, data: { noticeId: r.noticeId, personId: r.personId }, jobId: noticeJobId(r.noticeId, r.personId) }));
  await deps.queue.enqueueMany(jobs);
  const revived = await deps.queue.reviveFailed(jobs.map((j) => j.jobId));
  return { pending: pending.length, revived };
}

/**
 * A confirmed notice with a feedback deadline: one THEMATIC_ACTIVITY obligation per recipient unit
 * (planNoticeFeedback), written through the obligation's unique key, so every confirm may call it and
 * only the first creates anything. Returns how many were created.
 */
export async function createFeedbackObligations(deps: Pick<Deps, 'db' | 'clock'>, noticeId: number): Promise<number> {
  const notice = await deps.db.notice.findUnique({ where: { id: noticeId }, select: { id: true, title: true, status: true, feedbackDue: true, sentAt: true } });
  if (!notice || notice.status !== 'SENT' || !notice.feedbackDue) return 0;
  const recipients = await deps.db.noticeRecipient.findMany({ where: { noticeId }, select: { person: { select: { unitId: true } } } });
  const unitIds = [...new Set(recipients.map((r) => r.person.unitId))];
  const units = await deps.db.unit.findMany({
    where: { id: { in: unitIds } },
    select: { id: true, kind: true, active: true, people: { where: { role: 'SECRETARY', active: true }, select: { id: true, role: true, active: true } } },
  });
  const plan = planNoticeFeedback({ id: notice.id, title: notice.title, feedbackDue: notice.feedbackDue }, units, notice.sentAt ?? deps.clock());
  return insertPlanned(deps.db, plan, deps.clock());
}

const PERMANENT = new Set(['lark_unreachable_target', 'lark_bad_request']);

function failureCode(err: unknown): string {
  if (isAppError(err)) {
    const lark = err.details?.larkCode;
    return lark !== undefined && lark !== null ? `${err.code}:${String(lark)}` : err.code;
  }
  const f = classifyLarkError(err);
  return `${f.kind}:${f.code}`;
}

export type NoticeSendOutcome = { status: 'sent' | 'already-sent' | 'failed' | 'skipped'; messageId?: string; reason?: string };

/** One recipient's notice card. Lark's uuid (purpose 'notice', key '<noticeId>-<personId>') makes a re-run send nothing new. */
export async function sendNoticeTo(deps: Pick<Deps, 'db' | 'messenger' | 'log'>, noticeId: number, personId: number, o: { finalAttempt?: boolean } = {}): Promise<NoticeSendOutcome> {
  const { db } = deps;
  const r = await db.noticeRecipient.findUnique({
    where: { noticeId_personId: { noticeId, personId } },
    include: { person: { select: { larkOpenId: true, active: true } }, notice: { include: { createdBy: { select: { name: true } } } } },
  });
  if (!r) return { status: 'skipped', reason: 'no such recipient' };
  if (r.status === 'SENT') return { status: 'already-sent', messageId: r.messageId ?? undefined };
  if (r.status === 'FAILED') return { status: 'failed', reason: r.errorCode ?? 'failed' };
  if (r.notice.status !== 'SENT') return { status: 'skipped', reason: 'notice not confirmed' };
  const fail = async (code: string): Promise<NoticeSendOutcome> => {
    await db.noticeRecipient.updateMany({ where: { id: r.id, status: 'PENDING' }, data: { status: 'FAILED', errorCode: code.slice(0, 200) } });
    deps.log.warn({ noticeId, personId, code }, 'notice not delivered');
    return { status: 'failed', reason: code };
  };
  if (!r.person.larkOpenId) return fail('no_open_id');
  const n = r.notice;
  try {
    const { messageId } = await deps.messenger.card(
      { openId: r.person.larkOpenId },
      noticeCard({ id: n.id, title: n.title, body: n.body, ackRequired: n.ackRequired, from: n.createdBy.name, feedbackDue: n.feedbackDue }),
      { purpose: NOTICE_PURPOSE, key: `${noticeId}-${personId}` },
    );
    await db.noticeRecipient.update({ where: { id: r.id }, data: { status: 'SENT', messageId, errorCode: null } });
    return { status: 'sent', messageId };
  } catch (err) {
    // Unreachable (resigned, out of scope, bot blocked) and bad requests are final: FAILED, not retried.
    if (isAppError(err) && PERMANENT.has(err.code)) return fail(failureCode(err));
    if (o.finalAttempt) await fail(failureCode(err));
    throw err;
  }
}

/**
 * One reminder to one non-acknowledger (purpose 'notice-chase': a second chase sends nothing new); with
 * `urgent` (decided when the OD clicked 催办), the chase message is also buzzed, once (buzzChase).
 */
export async function chaseNoticeTo(
  deps: Pick<Deps, 'db' | 'messenger' | 'lark' | 'log' | 'clock'>,
  noticeId: number,
  personId: number,
  o: { urgent?: boolean } = {},
): Promise<NoticeSendOutcome & { buzz?: BuzzOutcome }> {
  const { db } = deps;
  const r = await db.noticeRecipient.findUnique({ where: { noticeId_personId: { noticeId, personId } }, include: { person: true, notice: true } });
  if (!r || r.status !== 'SENT' || r.ackAt || !r.person.larkOpenId) return { status: 'skipped' };
  let sent: { messageId: string; deduped: boolean };
  try {
    sent = await deps.messenger.card({ openId: r.person.larkOpenId }, noticeChaseCard({ id: noticeId, title: r.notice.title }), {
      purpose: NOTICE_CHASE_PURPOSE,
      key: `${noticeId}-${personId}`,
    });
  } catch (err) {
    if (isAppError(err) && PERMANENT.has(err.code)) return { status: 'failed', reason: failureCode(err) };
    throw err;
  }
  if (!sent.deduped) await db.noticeRecipient.updateMany({ where: { id: r.id, chasedAt: null }, data: { chasedAt: deps.clock() } });
  const buzz = o.urgent ? await buzzChase(deps, { noticeId, personId, openId: r.person.larkOpenId, messageId: sent.messageId }) : undefined;
  return { status: sent.deduped ? 'already-sent' : 'sent', messageId: sent.messageId, ...(buzz ? { buzz } : {}) };
}

/** Whether 催办 on this notice buzzes now. */
export function noticeUrgency(deps: Pick<Deps, 'config' | 'clock'>, notice: { feedbackDue: Date | null }): ChaseUrgency {
  return chaseUrgency(notice.feedbackDue, deps.clock(), deps.config.urgentAfterWorkingDays !== undefined);
}

export interface ChaseResult {
  targets: number;
  alreadyChased: number;
  urgency: ChaseUrgency;
  /** Targets to be buzzed now, and those buzzed before (both 0 unless urgent). */
  buzzing: number;
  alreadyBuzzed: number;
}

/**
 * 催办: one chase job per delivered recipient who has not acknowledged. Whether it buzzes is decided
 * here, at the click, and carried by the job (and its id, so that a chase before the deadline does
 * not keep a later urgent one from being queued).
 */
export async function chaseNotice(deps: Pick<Deps, 'db' | 'queue' | 'config' | 'clock'>, noticeId: number): Promise<ChaseResult> {
  const notice = await deps.db.notice.findUnique({ where: { id: noticeId }, select: { feedbackDue: true } });
  if (!notice) throw new AppError('not_found', `找不到编号为 ${noticeId} 的通知。`);
  const urgency = noticeUrgency(deps, notice);
  const rows = await deps.db.noticeRecipient.findMany({ where: { noticeId, status: 'SENT', ackAt: null }, select: { personId: true, chasedAt: true } });
  await deps.queue.enqueueMany(
    rows.map((r) => ({
      name: CHASE_NOTICE_JOB,
      data: { noticeId, personId: r.personId, urgent: urgency.urgent },
      jobId: `notice-chase-${noticeId}-${r.personId}${urgency.urgent ? '-urgent' : ''}`,
    })),
  );
  const done = urgency.urgent ? await countBuzzed(deps, noticeId, rows.map((r) => r.personId)) : { buzzed: 0, refused: 0 };
  return { targets: rows.length, alreadyChased: rows.filter((r) => r.chasedAt).length, urgency, buzzing: urgency.urgent ? rows.length - done.buzzed - done.refused : 0, alreadyBuzzed: done.buzzed };
}

/** 已阅/收到: ackAt (and readAt) set once. */
export async function acknowledge(deps: Pick<Deps, 'db' | 'clock'>, noticeId: number, personId: number): Promise<'ok' | 'again' | 'not-recipient'> {
  const now = deps.clock();
  const r = await deps.db.noticeRecipient.findUnique({ where: { noticeId_personId: { noticeId, personId } }, select: { id: true, readAt: true } });
  if (!r) return 'not-recipient';
  const res = await deps.db.noticeRecipient.updateMany({ where: { id: r.id, ackAt: null }, data: { ackAt: now, ...(r.readAt ? {} : { readAt: now }) } });
  return res.count === 1 ? 'ok' : 'again';
}

export async function noticeStatus(deps: Pick<Deps, 'db' | 'lark' | 'log' | 'queue' | 'config' | 'clock'>, noticeId: number): Promise<NoticeStatusView> {
  const notice = await deps.db.notice.findUnique({ where: { id: noticeId } });
  if (!notice) throw new AppError('not_found', `找不到编号为 ${noticeId} 的通知。`);
  const reads = await refreshReads(deps, noticeId);
  const rows = await deps.db.noticeRecipient.findMany({
    where: { noticeId },
    include: { person: { select: { name: true, unit: { select: { name: true } } } } },
    orderBy: [{ person: { unitId: 'asc' } }, { personId: 'asc' }],
  });
  const notAcked = new Map<string, string[]>();
  const units = new Map<string, UnitNoticeCounts>();
  for (const r of rows) {
    const u = units.get(r.person.unit.name) ?? { unit: r.person.unit.name, total: 0, delivered: 0, read: 0, acknowledged: 0, failed: 0 };
    u.total++;
    if (r.status === 'SENT') u.delivered++;
    if (r.status === 'SENT' && r.readAt) u.read++;
    if (r.ackAt) u.acknowledged++;
    if (r.status === 'FAILED') u.failed++;
    units.set(u.unit, u);
  }
  for (const r of rows) {
    if (r.status !== 'SENT' || r.ackAt) continue;
    const list = notAcked.get(r.person.unit.name) ?? [];
    list.push(r.person.name);
    notAcked.set(r.person.unit.name, list);
  }
  return {
    id: notice.id,
    title: notice.title,
    sent: notice.status === 'SENT',
    total: rows.length,
    delivered: rows.filter((r) => r.status === 'SENT').length,
    read: rows.filter((r) => r.status === 'SENT' && r.readAt).length,
    acknowledged: rows.filter((r) => r.ackAt).length,
    failed: rows.filter((r) => r.status === 'FAILED').map((r) => ({ name: r.person.name, unit: r.person.unit.name, reason: failureReasonZh(r.errorCode ?? 'failed') })),
    units: [...units.values()],
    replies: rows
      .filter((r) => r.reply && r.repliedAt)
      .sort((a, b) => b.repliedAt!.getTime() - a.repliedAt!.getTime())
      .map((r) => ({ unit: r.person.unit.name, name: r.person.name, text: r.reply! })),
    pending: notice.status === 'SENT' ? rows.filter((r) => r.status === 'PENDING').length : 0,
    notAcked: [...notAcked.entries()],
    reads,
    urgency: noticeUrgency(deps, notice),
    buzzed: (await countBuzzed(deps, noticeId, rows.map((r) => r.personId))).buzzed,
  };
}
