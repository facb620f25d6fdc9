// Inspections (暗访督查, 随机调研, 五(三)): OD staff record what they found in a unit; each finding is
// a rectification obligation of the unit, reminded and escalated like any other duty; the unit reports
// what it corrected, which submits it; OD staff accept it on the evidence (DONE) or return it (OPEN).
import type { Deps } from '../deps.js';
import { beijingDay, beijingStartOfDay } from '../domain/calendar/working-days.js';
import { checkInspectionForm, planFindingObligation } from '../domain/oversight/inspection.js';
import { matchUnit } from '../domain/stats/unit-match.js';
import { AppError } from '../errors.js';
import type { ReviewDecision } from '../generated/prisma/enums.js';
import type { Person } from '../generated/prisma/client.js';
import { sendToEach } from '../lark/send-each.js';
import { findingNoticeCard, reviewCard, reviewOutcomeCard } from './inspection-cards.js';

export type InspectionWithFindings = NonNullable<Awaited<ReturnType<typeof loadInspection>>>;

export function loadInspection(deps: Deps, id: number) {
  return deps.db.inspection.findUnique({
    where: { id },
    include: {
      unit: { select: { id: true, name: true } },
      inspector: { select: { id: true, name: true } },
      findings: { orderBy: { seq: 'asc' }, include: { obligation: { include: { reviews: { orderBy: { id: 'asc' } } } } } },
    },
  });
}

/**
 * Record an inspection from the submitted form, once per `sourceKey` (the card submission): the
 * inspection, its findings and one rectification obligation per finding are written in one
 * transaction, or nothing is. A bad form is refused with every problem listed.
 */
export async function recordInspection(deps: Deps, inspector: Pick<Person, 'id'>, raw: Record<string, unknown>, sourceKey: string) {
  const now = deps.clock();
  const done = await deps.db.inspection.findUnique({ where: { sourceKey }, select: { id: true } });
  if (done) return { inspection: (await loadInspection(deps, done.id))!, created: false };

  const check = checkInspectionForm(raw, now);
  if (!check.ok) throw new AppError('bad_input', `督查记录没有保存，请修改后重新提交：\n${check.problems.map((p, i) => `${i + 1}. ${p}`).join('\n')}`);
  const { form } = check;
  const units = await deps.db.unit.findMany({ where: { active: true, kind: { not: 'OD' } }, select: { id: true, name: true, code: true } });
  const m = matchUnit(form.unit, units);
  if (m.kind === 'ambiguous') throw new AppError('bad_input', `督查记录没有保存：“${form.unit}”对应多个单位，请写得更完整：${m.candidates.map((u) => u.name).join('、')}`);
  if (m.kind === 'none') {
    throw new AppError('not_found', `督查记录没有保存：没有找到单位“${form.unit}”。${m.candidates.length ? `您是否要找：${m.candidates.map((u) => u.name).join('、')}` : ''}`);
  }
  const unit = m.unit;
  const secretary = await deps.db.person.findFirst({ where: { unitId: unit.id, role: 'SECRETARY', active: true }, orderBy: { id: 'asc' }, select: { id: true } });

  const id = await deps.db.$transaction(async (tx) => {
    const [created] = await tx.inspection.createManyAndReturn({
      data: [{ unitId: unit.id, inspectorId: inspector.id, method: form.method, inspectedOn: beijingStartOfDay(form.inspectedOn), deadline: beijingStartOfDay(form.deadline), sourceKey }],
      skipDuplicates: true,
    });
    if (!created) return null; // a concurrent submit of the same card won
    for (const [i, text] of form.findings.entries()) {
      const finding = await tx.inspectionFinding.create({ data: { inspectionId: created.id, seq: i + 1, text } });
      const ob = await tx.obligation.create({
        data: planFindingObligation({ findingId: finding.id, seq: i + 1, text, unitId: unit.id, accountablePersonId: secretary?.id ?? null, method: form.method, inspectedOn: form.inspectedOn, deadline: form.deadline }),
      });
      await tx.inspectionFinding.update({ where: { id: finding.id }, data: { obligationId: ob.id } });
    }
    return created.id;
  });
  const inspection = (await loadInspection(deps, id ?? (await deps.db.inspection.findUniqueOrThrow({ where: { sourceKey } })).id))!;
  return { inspection, created: id !== null };
}

/** The unit's secretary and Party-building staff: who is told of findings and of the OD's decisions. */
async function unitContacts(deps: Deps, unitId: number) {
  return deps.db.person.findMany({
    where: { unitId, active: true, role: { in: ['SECRETARY', 'STAFF'] }, larkOpenId: { not: null } },
    orderBy: { id: 'asc' },
    select: { id: true, name: true, larkOpenId: true },
  });
}

/**
 * Send to each person once (uuid per purpose+key); one unreachable person does not stop the others.
 * With `about`, the message is linked to those obligations as a SENT reminder of `stage`, so that a
 * reply to it is taken as their report, as for any reminder.
 */
async function sendEach(
  deps: Deps,
  people: { id: number; larkOpenId: string | null }[],
  m: { purpose: string; key: string; card: unknown; about?: { obligationIds: number[]; stage: string } },
): Promise<number> {
  const now = deps.clock();
  const { reached } = await sendToEach(
    people,
    async (openId, p) => {
      const { messageId } = await deps.messenger.card({ openId }, m.card, { purpose: m.purpose, key: `${m.key}:p${p.id}` });
      if (m.about) {
        await deps.db.reminder.createMany({
          data: m.about.obligationIds.map((obligationId) => ({ obligationId, stage: m.about!.stage, recipientId: p.id, sendOn: beijingStartOfDay(beijingDay(now)), status: 'SENT' as const, sentAt: now, messageId })),
          skipDuplicates: true,
        });
      }
    },
    'retry-transient',
  );
  return reached.length;
}

/** Tell the unit's secretary and staff what was found and by when to rectify it. Returns how many were told. */
export async function notifyUnit(deps: Deps, inspection: InspectionWithFindings): Promise<number> {
  const rule = deps.catalog.current.rules.find((r) => r.code === 'INSPECTION_RECTIFICATION');
  const obligationIds = inspection.findings.flatMap((f) => (f.obligationId ? [f.obligationId] : []));
  return sendEach(deps, await unitContacts(deps, inspection.unitId), {
    purpose: 'inspection',
    key: `inspection:${inspection.id}`,
    card: findingNoticeCard(inspection, rule),
    about: { obligationIds, stage: 'inspection' },
  });
}

/**
 * A report was submitted for a rectification: show it, with its photos, to the OD staff member who
 * recorded the inspection (or, if they have left, to every OD staff member) with 通过 / 退回.
 */
export async function requestReview(deps: Deps, obligationId: number, reportId: number): Promise<void> {
  const finding = await deps.db.inspectionFinding.findUnique({
    where: { obligationId },
    include: { inspection: { include: { unit: { select: { name: true } }, inspector: { select: { id: true, larkOpenId: true, active: true } } } } },
  });
  const report = await deps.db.report.findUniqueOrThrow({ where: { id: reportId }, include: { person: { select: { name: true } }, evidence: { select: { id: true, kind: true, fileName: true, data: true } } } });
  const obligation = await deps.db.obligation.findUniqueOrThrow({ where: { id: obligationId } });
  const inspector = finding?.inspection.inspector;
  const reviewers =
    inspector?.active && inspector.larkOpenId
      ? [inspector]
      : await deps.db.person.findMany({ where: { role: 'OD_STAFF', active: true, larkOpenId: { not: null } }, select: { id: true, larkOpenId: true } });
  const imageKeys = await uploadImages(deps, report.evidence.flatMap((e) => (e.kind === 'image' && e.data ? [{ id: e.id, data: e.data }] : [])).slice(0, 4));
  const rule = deps.catalog.current.rules.find((r) => r.code === obligation.ruleCode);
  const card = reviewCard({ obligation, finding, report, imageKeys, files: report.evidence.filter((e) => e.kind !== 'image').map((e) => e.fileName ?? '附件'), rule });
  await sendEach(deps, reviewers, { purpose: 'review-request', key: `report:${reportId}`, card });
}

/** Evidence photos re-uploaded so they show in the reviewer's card; a photo Lark refuses is left out. */
async function uploadImages(deps: Deps, images: { id: number; data: Uint8Array }[]): Promise<string[]> {
  const keys: string[] = [];
  for (const img of images) {
    const res = await deps.lark.im.v1.image.create({ data: { image_type: 'message', image: Buffer.from(img.data) } }).catch(() => null);
    if (res?.image_key) keys.push(res.image_key);
  }
  return keys;
}

const reviewKey = (obligationId: number, reportId: number) => `review:${obligationId}:${reportId}`;

/** Whether OD staff returned this report (its rectification was sent back; later material belongs to the next report). */
export async function wasReturned(deps: Deps, report: { id: number; obligationId: number }): Promise<boolean> {
  const review = await deps.db.obligationReview.findUnique({ where: { sourceKey: reviewKey(report.obligationId, report.id) }, select: { decision: true } });
  return review?.decision === 'RETURN';
}

export interface ReviewOutcome {
  /** false: this click had already been decided (double click, re-delivered callback). */
  changed: boolean;
  obligation: { id: number; title: string; status: string; unitId: number };
}

/**
 * The OD's decision on a submitted rectification, once per report: ACCEPT closes it (DONE),
 * RETURN opens it again with the reason. Only a SUBMITTED obligation can be decided; two OD staff
 * deciding at once: the first wins, the second is told it was already decided.
 */
export async function decide(deps: Deps, reviewer: Pick<Person, 'id'>, d: { obligationId: number; reportId: number; decision: ReviewDecision; note: string }): Promise<ReviewOutcome> {
  const now = deps.clock();
  const o = { ...d, sourceKey: reviewKey(d.obligationId, d.reportId) };
  if (o.decision === 'RETURN' && !o.note.trim()) throw new AppError('bad_input', '请填写退回的原因，说明还需要补充或整改什么。');
  const outcome = await deps.db.$transaction(async (tx) => {
    const earlier = await tx.obligationReview.findUnique({ where: { sourceKey: o.sourceKey } });
    const ob = await tx.obligation.findUnique({ where: { id: o.obligationId } });
    if (!ob) throw new AppError('not_found', '找不到这项整改。');
    if (earlier) return { changed: false, obligation: ob };
    const moved = await tx.obligation.updateMany({
      where: { id: ob.id, status: 'SUBMITTED' },
      data: o.decision === 'ACCEPT' ? { status: 'DONE', completedAt: now } : { status: 'OPEN', late: false },
    });
    if (moved.count === 0) {
      // A concurrent click of the same decision committed first (statements see committed rows).
      if (await tx.obligationReview.findUnique({ where: { sourceKey: o.sourceKey } })) return { changed: false, obligation: ob };
      const state = ob.status === 'DONE' ? '已通过验收' : ob.status === 'OPEN' ? '已退回或尚未提交整改报告' : '已取消';
      throw new AppError('conflict', `这项整改${state}，无需再验收。`);
    }
    const review = await tx.obligationReview.create({ data: { obligationId: ob.id, reviewerId: reviewer.id, decision: o.decision, note: o.note.trim(), sourceKey: o.sourceKey, at: now } });
    return { changed: true, reviewId: review.id, obligation: await tx.obligation.findUniqueOrThrow({ where: { id: ob.id } }) };
  });
  if (outcome.changed) {
    const card = reviewOutcomeCard({ obligation: outcome.obligation, decision: o.decision, note: o.note.trim() });
    const reporters = await deps.db.person.findMany({
      where: { reports: { some: { obligationId: o.obligationId, withdrawnAt: null } }, larkOpenId: { not: null } },
      select: { id: true, larkOpenId: true },
    });
    const contacts = await unitContacts(deps, outcome.obligation.unitId);
    const seen = new Set<number>();
    const people = [...reporters, ...contacts].filter((p) => !seen.has(p.id) && seen.add(p.id));
    await sendEach(deps, people, {
      purpose: 'review-outcome',
      key: o.sourceKey,
      card,
      // A reply to a return is the new report.
      ...(o.decision === 'RETURN' ? { about: { obligationIds: [o.obligationId], stage: `return-${outcome.reviewId}` } } : {}),
    });
  }
  return outcome;
}

/** Inspections with their findings' states, newest first: all of them, one unit's, or one. */
export function listInspections(deps: Deps, opts: { unitId?: number; id?: number; take: number }) {
  return deps.db.inspection.findMany({
    where: { ...(opts.unitId !== undefined ? { unitId: opts.unitId } : {}), ...(opts.id !== undefined ? { id: opts.id } : {}) },
    orderBy: { id: 'desc' },
    take: opts.take,
    include: {
      unit: { select: { id: true, name: true } },
      findings: { orderBy: { seq: 'asc' }, include: { obligation: { select: { id: true, status: true, dueAt: true, late: true } } } },
    },
  });
}
