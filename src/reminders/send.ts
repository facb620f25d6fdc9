// Sending one claimed digest: the card to the recipient, then the Lark message_id on the digest and
// on every Reminder row it carries (a reply to that message is how the report side knows which
// obligations an answer is about). The Lark `uuid` comes from purpose 'reminder' and the key
// '<kind>-<recipientId>-<day>', so a re-run after a crash or a lost job cannot post a second card
// within Lark's one-hour uuid window; past that window a send whose outcome is unknown is not
// repeated but marked FAILED for a person to look at (see docs/reminders.md).
import { calendarAlerts } from '../calendar/alerts.js';
import type { Deps } from '../deps.js';
import { beijingDay } from '../domain/calendar/working-days.js';
import { findRule } from '../domain/duties/catalog.js';
import { groupOverdueByUnit, needsUrgent, stageKind, type OverdueItem } from '../domain/reminders/schedule.js';
import { AppError, isAppError } from '../errors.js';
import { classifyLarkError, failureToAppError } from '../lark/errors.js';
import { sendUuid } from '../lark/messenger.js';
import { odDigestCard, reminderDigestCard, type DigestItem } from './cards.js';

export type SendDeps = Pick<Deps, 'db' | 'messenger' | 'lark' | 'catalog' | 'calendar' | 'config' | 'log' | 'clock'>;

export const REMINDER_PURPOSE = 'reminder';
/** Lark keeps a uuid for one hour; stay inside it with a margin. */
const UUID_WINDOW_MS = 55 * 60_000;
/** Errors a retry cannot fix: the digest is marked FAILED at once. */
const PERMANENT = new Set(['lark_unreachable_target', 'lark_bad_request']);

export interface SendOutcome {
  status: 'sent' | 'already-sent' | 'skipped' | 'failed' | 'not-claimed';
  messageId?: string;
  /** Duties on the card (duty digests) or units (OD digest). */
  items?: number;
  urgent?: boolean;
  reason?: string;
}

export function digestSendKey(d: { kind: string; recipientId: number; day: Date }): string {
  return `${d.kind}-${d.recipientId}-${beijingDay(d.day)}`;
}

export async function sendDigest(deps: SendDeps, digestId: number): Promise<SendOutcome> {
  const { db } = deps;
  const log = deps.log.child({ digestId });
  const d = await db.reminderDigest.findUnique({ where: { id: digestId } });
  if (!d) return { status: 'not-claimed', reason: 'missing' };
  if (d.status === 'SENT') {
    const urgent = d.kind === 'duty' && !d.urgentAt && d.messageId ? await maybeUrgent(deps, d.id, d.recipientId, d.messageId) : false;
    return { status: 'already-sent', messageId: d.messageId ?? undefined, urgent };
  }
  if (d.status !== 'CLAIMED') return { status: 'not-claimed', reason: d.status };
  const now = deps.clock();

  const fail = async (reason: string): Promise<SendOutcome> => {
    await db.$transaction([
      db.reminderDigest.update({ where: { id: d.id }, data: { status: 'FAILED', error: reason.slice(0, 2000) } }),
      db.reminder.updateMany({ where: { digestId: d.id, status: 'CLAIMED' }, data: { status: 'FAILED', error: reason.slice(0, 2000) } }),
    ]);
    log.error({ reason, recipientId: d.recipientId }, 'reminder card not sent');
    return { status: 'failed', reason };
  };

  const person = await db.person.findUnique({ where: { id: d.recipientId }, select: { name: true, active: true, larkOpenId: true } });
  if (!person || !person.active) return fail('recipient is not in the roster any more');
  if (!person.larkOpenId) return fail('recipient has no Lark open_id (run the roster import with Lark resolution)');

  const key = digestSendKey(d);
  const prior = await db.outboundMessage.findUnique({ where: { uuid: sendUuid(REMINDER_PURPOSE, key) } });
  if (prior && prior.status !== 'SENT' && !prior.errorCode?.startsWith('rate_limited') && now.getTime() - d.claimedAt.getTime() > UUID_WINDOW_MS) {
    // The earlier attempt may have reached Lark; past the uuid window a retry could post it twice.
    return fail('an earlier send of this card ended without an answer more than 55 minutes ago; not repeated (check whether the recipient got it)');
  }

  let card: unknown;
  let items: number;
  if (d.kind === 'od') {
    const [units, pendingReview, alerts] = await Promise.all([overdueByUnit(deps, now), db.obligation.count({ where: { status: 'SUBMITTED' } }), calendarAlerts(deps, now)]);
    if (!units.length && !pendingReview && !alerts.length) {
      await db.reminderDigest.update({ where: { id: d.id }, data: { status: 'SKIPPED', error: 'nothing overdue or awaiting acceptance any more' } });
      return { status: 'skipped', reason: 'nothing overdue' };
    }
    card = odDigestCard({ recipientName: person.name, units, now, pendingReview, alerts }).card;
    items = units.length;
  } else {
    const built = await dutyCard(deps, d.id, d.recipientId, person.name, now);
    if (!built) {
      await db.reminderDigest.update({ where: { id: d.id }, data: { status: 'SKIPPED', error: 'every duty on it was done or cancelled' } });
      return { status: 'skipped', reason: 'nothing open' };
    }
    card = built.card;
    items = built.items;
  }

  let messageId: string;
  try {
    messageId = (await deps.messenger.card({ openId: person.larkOpenId }, card, { purpose: REMINDER_PURPOSE, key })).messageId;
  } catch (err) {
    // A refusal is final. Anything else (Lark down, rate limits) leaves the digest CLAIMED: the job
    // retries, and once its attempts are spent the tick hands the stale claim out again, until the
    // uuid window closes on an unknown outcome (above).
    if (isAppError(err) && PERMANENT.has(err.code)) await fail(err.message);
    throw err;
  }
  const sentAt = deps.clock();
  await db.$transaction([
    db.reminderDigest.update({ where: { id: d.id }, data: { status: 'SENT', sentAt, messageId, error: null } }),
    db.reminder.updateMany({ where: { digestId: d.id, status: 'CLAIMED' }, data: { status: 'SENT', sentAt, messageId } }),
  ]);
  const urgent = d.kind === 'duty' ? await maybeUrgent(deps, d.id, d.recipientId, messageId) : false;
  return { status: 'sent', messageId, items, urgent };
}

async function dutyCard(deps: SendDeps, digestId: number, recipientId: number, recipientName: string, now: Date) {
  const { db } = deps;
  const reminders = await db.reminder.findMany({ where: { digestId, status: 'CLAIMED' }, include: { obligation: true } });
  const closed = reminders.filter((r) => r.obligation.status !== 'OPEN').map((r) => r.id);
  if (closed.length) {
    await db.reminder.updateMany({ where: { id: { in: closed }, status: 'CLAIMED' }, data: { status: 'SKIPPED', error: 'skipped: closed before sending' } });
  }
  const open = reminders.filter((r) => r.obligation.status === 'OPEN');
  if (!open.length) return null;

  const catalog = deps.catalog.current;
  const unitIds = [...new Set(open.map((r) => r.obligation.unitId))];
  const ownerIds = [...new Set(open.map((r) => r.obligation.personId).filter((id): id is number => id !== null))];
  const people = await db.person.findMany({
    where: { OR: [{ id: { in: ownerIds } }, { unitId: { in: unitIds }, active: true, role: 'STAFF' }] },
    select: { id: true, name: true, unitId: true, role: true, active: true },
  });
  const nameOf = new Map(people.map((p) => [p.id, p.name]));
  // One entry per obligation (two stages of one duty on one card read as one).
  const seen = new Set<number>();
  const items: DigestItem[] = [];
  for (const r of open.sort((a, b) => a.obligation.dueAt.getTime() - b.obligation.dueAt.getTime() || a.obligationId - b.obligationId)) {
    if (seen.has(r.obligationId)) continue;
    seen.add(r.obligationId);
    const ob = r.obligation;
    const rule = findRule(catalog, ob.ruleCode);
    const relation: DigestItem['relation'] = stageKind(r.stage) === 'escalate' ? 'escalate' : ob.personId === recipientId ? 'owner' : 'organiser';
    const organiserNames =
      relation === 'owner' && rule?.owner === 'unit' && rule.organiserRole
        ? people.filter((p) => p.unitId === ob.unitId && p.role === rule.organiserRole && p.active && p.id !== recipientId).map((p) => p.name)
        : [];
    items.push({ obligation: ob, stage: r.stage, relation, ownerName: ob.personId !== null ? (nameOf.get(ob.personId) ?? null) : null, organiserNames });
  }
  const built = reminderDigestCard({ recipientName, items, now, catalog, cal: deps.calendar, contact: deps.config.odContact });
  return { card: built.card, items: items.length };
}

async function overdueByUnit(deps: SendDeps, now: Date) {
  const { db } = deps;
  const counts = await db.obligation.groupBy({ by: ['unitId'], where: { status: 'OPEN', dueAt: { lt: now } }, _count: { _all: true } });
  if (!counts.length) return [];
  const examples = await db.$queryRaw<{ id: number; unitId: number; title: string; dueAt: Date; personId: number | null }[]>`
    SELECT id, "unitId", title, "dueAt", "personId" FROM (
      SELECT o.id, o."unitId", o.title, o."dueAt", o."personId",
             row_number() OVER (PARTITION BY o."unitId" ORDER BY o."dueAt", o.id) AS rn
      FROM "Obligation" o WHERE o."status" = 'OPEN' AND o."dueAt" < ${now}
    ) x WHERE rn <= 3`;
  const [units, owners] = await Promise.all([
    db.unit.findMany({ where: { id: { in: counts.map((c) => c.unitId) } }, select: { id: true, name: true } }),
    db.person.findMany({ where: { id: { in: examples.map((e) => e.personId).filter((id): id is number => id !== null) } }, select: { id: true, name: true } }),
  ]);
  const unitName = new Map(units.map((u) => [u.id, u.name]));
  const ownerName = new Map(owners.map((p) => [p.id, p.name]));
  const items: OverdueItem[] = examples.map((e) => ({
    unitId: e.unitId,
    unitName: unitName.get(e.unitId) ?? `#${e.unitId}`,
    obligationId: e.id,
    title: e.title,
    ownerName: e.personId !== null ? (ownerName.get(e.personId) ?? null) : null,
    dueAt: e.dueAt,
  }));
  return groupOverdueByUnit(items, now, deps.calendar, { counts: new Map(counts.map((c) => [c.unitId, c._count._all])) });
}

/**
 * Lark's urgent push (加急) on a sent card, when URGENT_AFTER_WORKING_DAYS is set and a duty on it
 * is at least that many working days late. Recorded in urgentAt; a failure is logged, not retried
 * (the card itself went out).
 */
async function maybeUrgent(deps: SendDeps, digestId: number, recipientId: number, messageId: string): Promise<boolean> {
  const threshold = deps.config.urgentAfterWorkingDays;
  if (threshold === undefined) return false;
  const now = deps.clock();
  const reminders = await deps.db.reminder.findMany({ where: { digestId, status: 'SENT' }, select: { obligation: { select: { dueAt: true, status: true } } } });
  const dueAts = reminders.filter((r) => r.obligation.status === 'OPEN').map((r) => r.obligation.dueAt);
  if (!needsUrgent(dueAts, now, deps.calendar, threshold)) return false;
  const person = await deps.db.person.findUnique({ where: { id: recipientId }, select: { larkOpenId: true } });
  if (!person?.larkOpenId) return false;
  try {
    const res = await deps.lark.im.v1.message.urgentApp({
      path: { message_id: messageId },
      params: { user_id_type: 'open_id' },
      data: { user_id_list: [person.larkOpenId] },
    });
    if (res.code !== 0) throw failureToAppError(classifyLarkError(res));
    if (res.data?.invalid_user_id_list?.length) throw new AppError('lark_unreachable_target', `urgent push refused for ${res.data.invalid_user_id_list.join(',')}`);
  } catch (err) {
    const e = isAppError(err) ? err : failureToAppError(classifyLarkError(err));
    deps.log.warn({ digestId, err: e.message }, 'urgent push failed');
    return false;
  }
  await deps.db.reminderDigest.update({ where: { id: digestId }, data: { urgentAt: now } });
  return true;
}
