import type { Deps } from '../deps.js';
import type { EvidenceInput } from './record.js';

export interface EvidenceRef {
  /** The message that carries the image or file. */
  messageId: string;
  kind: 'image' | 'file';
  key: string;
  fileName?: string;
}

/**
 * What one report may carry: a post can hold any number of images, and every byte is kept in
 * PostgreSQL, so the count and the total are capped per report, as well as each file.
 */
export const EVIDENCE_LIMITS = { perFileBytes: 30 * 1024 * 1024, perReport: 9, perReportBytes: 60 * 1024 * 1024 } as const;

export const FETCH_EVIDENCE_JOB = 'fetch-evidence';

/** The outcome of taking in a message's attachments: kept, to be fetched again (a job), or refused with the reason. */
export interface EvidenceBatch {
  /** Rows to write: STORED with their bytes, or PENDING (Lark did not hand them over this time). */
  rows: EvidenceInput[];
  refused: { ref: EvidenceRef; reason: string }[];
}

/** An attachment over the per-file or per-report limit. */
export class EvidenceTooLarge extends Error {}

const MIB = 1024 * 1024;

/** An attachment as users call it: 图片 / 文件“name”. */
export function evidenceLabel(e: { kind: string; fileName?: string | null }): string {
  return e.kind === 'image' ? '图片' : `文件“${e.fileName ?? '附件'}”`;
}

/**
 * Download one image or file from Lark, streamed and stopped as soon as it passes `maxBytes`
 * (never buffering more than that). Throws TooLarge for that case, anything else for a failed download.
 */
export async function downloadEvidence(deps: Pick<Deps, 'lark'>, ref: EvidenceRef, maxBytes: number): Promise<{ data: Uint8Array<ArrayBuffer>; contentType: string }> {
  const res = await deps.lark.im.v1.messageResource.get({ path: { message_id: ref.messageId, file_key: ref.key }, params: { type: ref.kind } });
  const stream = res.getReadableStream();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) {
      stream.destroy();
      throw new EvidenceTooLarge(`larger than ${maxBytes} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  const contentType = String(res.headers?.['content-type'] ?? (ref.kind === 'image' ? 'image/png' : 'application/octet-stream'));
  return { data: new Uint8Array(Buffer.concat(chunks)), contentType };
}

/**
 * Take in the images and files a user sent as evidence, so the record outlives Lark's retention, within
 * EVIDENCE_LIMITS given what the report already holds. One Lark could not hand over now is kept as
 * PENDING (the fetch-evidence job retries it with backoff); one over the limits is refused, with the
 * reason, for the confirmation to say. Nothing is dropped silently.
 */
export async function fetchEvidence(deps: Pick<Deps, 'lark' | 'log'>, refs: EvidenceRef[], already: { count: number; bytes: number } = { count: 0, bytes: 0 }): Promise<EvidenceBatch> {
  const rows: EvidenceInput[] = [];
  const refused: EvidenceBatch['refused'] = [];
  let { count, bytes } = already;
  const seen = new Set<string>();
  for (const ref of refs) {
    if (seen.has(ref.key)) continue; // the same attachment found twice (the message and its thread)
    seen.add(ref.key);
    const base = { kind: ref.kind, larkKey: ref.key, messageId: ref.messageId, ...(ref.fileName ? { fileName: ref.fileName } : {}) };
    if (count >= EVIDENCE_LIMITS.perReport) {
      refused.push({ ref, reason: `每份报告最多保存 ${EVIDENCE_LIMITS.perReport} 份材料` });
      continue;
    }
    const room = Math.min(EVIDENCE_LIMITS.perFileBytes, EVIDENCE_LIMITS.perReportBytes - bytes);
    try {
      const got = await downloadEvidence(deps, ref, room);
      rows.push({ ...base, status: 'STORED', data: got.data, contentType: got.contentType });
      bytes += got.data.length;
      count++;
    } catch (err) {
      if (err instanceof EvidenceTooLarge) {
        refused.push({
          ref,
          reason: room < EVIDENCE_LIMITS.perFileBytes ? `每份报告的材料合计不能超过 ${EVIDENCE_LIMITS.perReportBytes / MIB} MB` : `单个材料不能超过 ${EVIDENCE_LIMITS.perFileBytes / MIB} MB`,
        });
        continue;
      }
      deps.log.warn({ err, key: ref.key, messageId: ref.messageId }, 'evidence could not be fetched; a job retries it');
      rows.push({ ...base, status: 'PENDING' });
      count++;
    }
  }
  return { rows, refused };
}

/** Queue a fetch-evidence job for each PENDING attachment of the report (ids deterministic: safe to repeat). */
export async function queuePendingEvidence(deps: Pick<Deps, 'db' | 'queue' | 'config' | 'log'>, reportId: number): Promise<number> {
  const pending = await deps.db.evidence.findMany({ where: { reportId, status: 'PENDING' }, select: { id: true } });
  for (const { id } of pending) {
    await deps.queue
      .enqueue(FETCH_EVIDENCE_JOB, { evidenceId: id }, { jobId: `evidence-${id}`, attempts: deps.config.evidenceFetchAttempts })
      .catch((err) => deps.log.error({ err, evidenceId: id }, 'cannot queue the evidence download; the next report of this thread retries it'));
  }
  return pending.length;
}

/** What the confirmation says about attachments not (yet) kept. */
export function evidenceNotes(batch: EvidenceBatch): string[] {
  const pending = batch.rows.filter((r) => r.status === 'PENDING').length;
  return [
    ...(pending ? [`⏳ ${pending} 份材料暂时没能从飞书取到，正在自动重试；如仍取不到，会告诉您如何重新发送。`] : []),
    ...batch.refused.map((r) => `⚠️ ${evidenceLabel({ kind: r.ref.kind, fileName: r.ref.fileName ?? null })}没有保存：${r.reason}。`),
  ];
}

export function evidenceRefs(msg: { messageId: string; imageKeys: string[]; files: { key: string; name: string }[] }): EvidenceRef[] {
  return [
    ...msg.imageKeys.map((key) => ({ messageId: msg.messageId, kind: 'image' as const, key })),
    ...msg.files.map((f) => ({ messageId: msg.messageId, kind: 'file' as const, key: f.key, fileName: f.name })),
  ];
}
