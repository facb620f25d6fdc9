import type { Deps } from '../deps.js';
import { AppError } from '../errors.js';
import { getRule, type DutyRule } from '../domain/duties/catalog.js';
import { parseReport, summarize } from '../domain/reports/parse-report.js';
import type { Obligation, Person } from '../generated/prisma/client.js';
import { confirmationCard } from './cards.js';
import { periodMismatch } from './filing.js';
import { evidenceNotes, fetchEvidence, queuePendingEvidence, type EvidenceRef } from './evidence.js';
import { requestReview } from '../oversight/inspections.js';
import { mayReport, recordReport } from './record.js';

export interface ReportSource {
  /** Idempotency key of the report: 'msg:<message_id>', 'form:<card message>:<operator>' … */
  sourceKey: string;
  text: string;
  /** Values already known (a form); otherwise parsed from the text. */
  fields?: Record<string, unknown>;
  evidence: EvidenceRef[];
  /** Where the confirmation goes: a reply to this message in this chat. */
  chatId: string;
  replyTo?: string;
  /** The thread the answer belongs to, to pick up photos sent before the text. */
  threadRootId?: string;
  /** The bot chose the duty from the text: why (shown on the confirmation) */
  filedBecause?: string[];
}

/** The grassroots orgs a report of this person may name: their liaison points, then their unit's orgs. */
export async function orgChoices(deps: Deps, person: Pick<Person, 'id' | 'unitId'>): Promise<{ id: number; name: string }[]> {
  const [points, orgs] = await Promise.all([
    deps.db.liaisonPoint.findMany({ where: { personId: person.id, active: true }, include: { org: { select: { id: true, name: true } } } }),
    deps.db.grassrootsOrg.findMany({ where: { unitId: person.unitId, active: true }, select: { id: true, name: true }, orderBy: { id: 'asc' } }),
  ]);
  const seen = new Set<number>();
  return [...points.map((p) => p.org), ...orgs].filter((o) => !seen.has(o.id) && seen.add(o.id));
}

/**
 * An answer becomes the duty's completion report: parse what it says, fetch its photos and files,
 * store it (once, by its source key), and show the person what was understood.
 */
export async function answerWithReport(deps: Deps, person: Person, obligation: Obligation, src: ReportSource): Promise<void> {
  if (!mayReport(person, obligation)) throw new AppError('forbidden', '这项责任不是您的，不能为它提交报告。');
  if (obligation.status === 'CANCELLED') throw new AppError('conflict', '这项责任已取消，无需报告。');
  const now = deps.clock();
  const rule: DutyRule = getRule(deps.catalog.current, obligation.ruleCode);
  if (rule.closedBy === 'od' && obligation.status === 'DONE') throw new AppError('conflict', '这项整改已通过区委组织部验收销号，无需再报告。');
  const orgs = await orgChoices(deps, person);
  const parsed = src.fields ? { values: src.fields, problems: [], unparsed: '' } : parseReport(src.text, rule.evidence, { now, orgNames: orgs });
  const refs = [...src.evidence, ...(src.threadRootId ? await earlierThreadEvidence(deps, person.larkOpenId ?? '', src.threadRootId, now) : [])];
  const batch = await fetchEvidence(deps, refs);
  const { report, obligation: ob } = await recordReport(deps.db, {
    obligationId: obligation.id,
    personId: person.id,
    sourceKey: src.sourceKey,
    text: src.text,
    fields: parsed.values,
    evidence: batch.rows,
    now,
    closedBy: rule.closedBy,
  });
  await queuePendingEvidence(deps, report.id);
  const evidenceCount = await deps.db.evidence.count({ where: { reportId: report.id, status: 'STORED' } });
  const mismatch = await periodMismatch(deps, ob, rule, report.fields as Record<string, unknown>);
  const confirmation = confirmationCard({
    obligation: ob,
    report,
    rule,
    evidenceCount,
    problems: parsed.problems,
    unparsed: parsed.unparsed,
    notes: evidenceNotes(batch),
    ...(src.filedBecause ? { filedBecause: src.filedBecause } : {}),
    ...(mismatch ? { mismatch } : {}),
  });
  await deps.messenger.card({ chatId: src.chatId }, confirmation, {
    purpose: 'report-confirm',
    key: src.sourceKey,
    ...(src.replyTo ? { replyTo: src.replyTo } : {}),
  });
  // Also on a redelivery: the review card's uuid (per report) keeps it to one card per reviewer.
  if (rule.closedBy === 'od' && ob.status === 'SUBMITTED') await requestReview(deps, ob.id, report.id);
}

/** The confirmation of a stored report as it stands now (after 修改, 改记 or 保持不变). */
export async function currentConfirmation(deps: Deps, reportId: number, o: { askPeriod: boolean }): Promise<Record<string, unknown>> {
  const report = await deps.db.report.findUniqueOrThrow({ where: { id: reportId }, include: { obligation: true } });
  const rule = getRule(deps.catalog.current, report.obligation.ruleCode);
  const evidenceCount = await deps.db.evidence.count({ where: { reportId } });
  const mismatch = o.askPeriod ? await periodMismatch(deps, report.obligation, rule, report.fields as Record<string, unknown>) : undefined;
  return confirmationCard({ obligation: report.obligation, report, rule, evidenceCount, problems: [], unparsed: '', ...(mismatch ? { mismatch } : {}) });
}

/** The text a form submission is stored with: its values, one per line. */
export function formText(values: Record<string, unknown>, rule: DutyRule): string {
  return summarize(values, rule.evidence).join('\n');
}

/** Photos and files the person sent in the same thread in the last day, before the text. */
async function earlierThreadEvidence(deps: Deps, openId: string, rootId: string, now: Date): Promise<EvidenceRef[]> {
  if (!openId) return [];
  const rows = await deps.db.inboundEvent.findMany({
    where: {
      eventType: 'im.message.receive_v1',
      receivedAt: { gt: new Date(now.getTime() - 24 * 3600_000) },
      AND: [{ payload: { path: ['event', 'senderOpenId'], equals: openId } }, { payload: { path: ['event', 'rootId'], equals: rootId } }],
    },
    select: { payload: true },
    take: 50,
  });
  const refs: EvidenceRef[] = [];
  for (const row of rows) {
    const e = (row.payload as { event?: { messageId: string; imageKeys?: string[]; files?: { key: string; name: string }[] } }).event;
    if (!e) continue;
    for (const key of e.imageKeys ?? []) refs.push({ messageId: e.messageId, kind: 'image', key });
    for (const f of e.files ?? []) refs.push({ messageId: e.messageId, kind: 'file', key: f.key, fileName: f.name });
  }
  return refs;
}
