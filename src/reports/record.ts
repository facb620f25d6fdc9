import type { Db } from '../db/client.js';
import { AppError } from '../errors.js';
import type { Obligation, Person, Report } from '../generated/prisma/client.js';

export interface EvidenceInput {
  kind: 'image' | 'file';
  larkKey: string;
  fileName?: string;
  contentType?: string;
  /** STORED with its bytes, or PENDING without (src/reports/evidence.ts). */
  status: 'STORED' | 'PENDING';
  data?: Uint8Array<ArrayBuffer>;
  messageId: string;
}

export interface RecordInput {
  obligationId: number;
  personId: number;
  /** What the report came from; a redelivery or double submit hits this key and records nothing new. */
  sourceKey: string;
  text: string;
  fields: Record<string, unknown>;
  evidence: EvidenceInput[];
  now: Date;
  /** 'od': the report submits the duty (SUBMITTED) for OD staff to accept; otherwise it completes it. */
  closedBy?: 'reporter' | 'od';
}

export interface RecordResult {
  report: Report;
  obligation: Obligation;
  /** false when this source had already been recorded. */
  created: boolean;
}

/** Who may report for an obligation: its person, or for a unit duty the unit's secretary, deputy or staff. */
export function mayReport(person: Pick<Person, 'id' | 'unitId' | 'role'>, ob: Pick<Obligation, 'personId' | 'ownerKey' | 'unitId'>): boolean {
  if (ob.personId === person.id) return true;
  return ob.ownerKey.startsWith('u') && ob.unitId === person.unitId && ['SECRETARY', 'DEPUTY', 'STAFF'].includes(person.role);
}

/**
 * Store a completion report and count it towards its obligation, in one transaction: either the
 * report, its evidence and the new count are all written, or nothing is. A report after the due
 * instant is marked late; "at least N" is met by N reports. A duty the OD closes (closedBy 'od') is
 * SUBMITTED instead of DONE, and keeps whether it was submitted late.
 */
export async function recordReport(db: Db, r: RecordInput): Promise<RecordResult> {
  return db.$transaction(async (tx) => {
    const created = await tx.report.createManyAndReturn({
      data: [{ obligationId: r.obligationId, personId: r.personId, sourceKey: r.sourceKey, text: r.text, fields: r.fields as object, late: false }],
      skipDuplicates: true,
    });
    const report = created[0];
    if (!report) {
      const existing = await tx.report.findUniqueOrThrow({ where: { sourceKey: r.sourceKey } });
      const obligation = await tx.obligation.findUniqueOrThrow({ where: { id: existing.obligationId } });
      return { report: existing, obligation, created: false };
    }
    const ob = await tx.obligation.update({ where: { id: r.obligationId }, data: { doneCount: { increment: 1 } } });
    const late = r.now > ob.dueAt;
    const final = await tx.report.update({ where: { id: report.id }, data: { late } });
    let obligation = ob;
    if (ob.status === 'OPEN' && ob.doneCount >= ob.requiredCount) {
      obligation = await tx.obligation.update({
        where: { id: ob.id },
        data: r.closedBy === 'od' ? { status: 'SUBMITTED', late } : { status: 'DONE', completedAt: r.now, late },
      });
    }
    if (r.evidence.length) {
      await tx.evidence.createMany({ data: r.evidence.map((e) => ({ reportId: report.id, ...e })), skipDuplicates: true });
    }
    return { report: final, obligation, created: true };
  });
}

/** Add evidence to an existing report (a photo sent after the text). Duplicates are ignored. */
export async function addEvidence(db: Db, reportId: number, evidence: EvidenceInput[]): Promise<number> {
  const res = await db.evidence.createMany({ data: evidence.map((e) => ({ reportId, ...e })), skipDuplicates: true });
  return res.count;
}

/**
 * Withdraw a report (撤回): it stops counting; a duty it had completed or submitted is open again. A
 * rectification the OD has accepted stays closed: its reports can no longer be withdrawn.
 */
export async function withdrawReport(db: Db, reportId: number, personId: number, now: Date): Promise<{ report: Report; obligation: Obligation; changed: boolean }> {
  return db.$transaction(async (tx) => {
    const report = await tx.report.findUnique({ where: { id: reportId } });
    if (!report) throw new AppError('not_found', '找不到这份报告，可能已被删除。');
    if (report.personId !== personId) throw new AppError('forbidden', '只有提交报告的本人可以撤回。');
    const accepted = await tx.obligationReview.findFirst({ where: { obligationId: report.obligationId, decision: 'ACCEPT' }, select: { id: true } });
    if (accepted) throw new AppError('conflict', '这项整改已通过区委组织部验收销号，报告不能撤回。');
    const done = await tx.report.updateMany({ where: { id: reportId, withdrawnAt: null }, data: { withdrawnAt: now } });
    if (done.count === 0) {
      return { report, obligation: await tx.obligation.findUniqueOrThrow({ where: { id: report.obligationId } }), changed: false };
    }
    let ob = await tx.obligation.update({ where: { id: report.obligationId }, data: { doneCount: { decrement: 1 } } });
    if ((ob.status === 'DONE' || ob.status === 'SUBMITTED') && ob.doneCount < ob.requiredCount) {
      ob = await tx.obligation.update({ where: { id: ob.id }, data: { status: 'OPEN', completedAt: null, late: false } });
    }
    return { report: { ...report, withdrawnAt: now }, obligation: ob, changed: true };
  });
}

/** Correct a report's fields (修改); counts do not change. */
export async function updateReport(db: Db, reportId: number, personId: number, fields: Record<string, unknown>, text: string): Promise<Report> {
  const report = await db.report.findUnique({ where: { id: reportId } });
  if (!report) throw new AppError('not_found', '找不到这份报告，可能已被删除。');
  if (report.personId !== personId) throw new AppError('forbidden', '只有提交报告的本人可以修改。');
  if (report.withdrawnAt) throw new AppError('conflict', '这份报告已撤回，不能修改。请重新提交。');
  return db.report.update({ where: { id: reportId }, data: { fields: fields as object, text } });
}

/**
 * Move a report to another duty of the same person (改记): it stops counting for the duty it was
 * filed under (which opens again if it had completed it) and counts for the new one, with the
 * fields read again for that duty. One transaction; moving to where it already is changes nothing.
 * Lateness is judged against the new duty's due instant at the time the report was made.
 */
export async function moveReport(
  db: Db,
  m: { reportId: number; personId: number; toObligationId: number; fields: Record<string, unknown>; closedBy?: 'reporter' | 'od' },
): Promise<{ report: Report; from: Obligation; to: Obligation; changed: boolean }> {
  return db.$transaction(async (tx) => {
    const report = await tx.report.findUnique({ where: { id: m.reportId } });
    if (!report) throw new AppError('not_found', '找不到这份报告，可能已被删除。');
    if (report.personId !== m.personId) throw new AppError('forbidden', '只有提交报告的本人可以改记。');
    if (report.withdrawnAt) throw new AppError('conflict', '这份报告已撤回，不能改记。请重新提交。');
    const accepted = await tx.obligationReview.findFirst({ where: { obligationId: report.obligationId, decision: 'ACCEPT' }, select: { id: true } });
    if (accepted) throw new AppError('conflict', '这项整改已通过区委组织部验收销号，报告不能改记。');
    const target = await tx.obligation.findUnique({ where: { id: m.toObligationId } });
    if (!target || target.status === 'CANCELLED') throw new AppError('conflict', '要改记到的责任已取消或不存在。');
    if (report.obligationId === target.id) {
      const from = await tx.obligation.findUniqueOrThrow({ where: { id: report.obligationId } });
      return { report, from, to: from, changed: false };
    }
    let from = await tx.obligation.update({ where: { id: report.obligationId }, data: { doneCount: { decrement: 1 } } });
    if ((from.status === 'DONE' || from.status === 'SUBMITTED') && from.doneCount < from.requiredCount) {
      from = await tx.obligation.update({ where: { id: from.id }, data: { status: 'OPEN', completedAt: null, late: false } });
    }
    const late = report.createdAt > target.dueAt;
    const moved = await tx.report.update({ where: { id: report.id }, data: { obligationId: target.id, fields: m.fields as object, late } });
    let to = await tx.obligation.update({ where: { id: target.id }, data: { doneCount: { increment: 1 } } });
    if (to.status === 'OPEN' && to.doneCount >= to.requiredCount) {
      to = await tx.obligation.update({
        where: { id: to.id },
        data: m.closedBy === 'od' ? { status: 'SUBMITTED', late } : { status: 'DONE', completedAt: report.createdAt, late },
      });
    }
    return { report: moved, from, to, changed: true };
  });
}
