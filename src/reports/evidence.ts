import type { Deps } from '../deps.js';
import type { EvidenceInput } from './record.js';

export interface EvidenceRef {
  /** The message that carries the image or file. */
  messageId: string;
  kind: 'image' | 'file';
  key: string;
  fileName?: string;
}

const MAX_BYTES = 30 * 1024 * 1024;

/**
 * Download images and files users sent as evidence, so the record outlives Lark's retention.
 * A resource that cannot be fetched is logged and left out; the report itself is still stored.
 */
export async function fetchEvidence(deps: Deps, refs: EvidenceRef[]): Promise<EvidenceInput[]> {
  const out: EvidenceInput[] = [];
  for (const ref of refs) {
    try {
      const res = await deps.lark.im.v1.messageResource.get({ path: { message_id: ref.messageId, file_key: ref.key }, params: { type: ref.kind } });
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of res.getReadableStream()) {
        size += (chunk as Buffer).length;
        if (size > MAX_BYTES) throw new Error(`evidence larger than ${MAX_BYTES} bytes`);
        chunks.push(chunk as Buffer);
      }
      const contentType = String(res.headers?.['content-type'] ?? (ref.kind === 'image' ? 'image/png' : 'application/octet-stream'));
      out.push({ kind: ref.kind, larkKey: ref.key, data: new Uint8Array(Buffer.concat(chunks)), contentType, ...(ref.fileName ? { fileName: ref.fileName } : {}) });
    } catch (err) {
      deps.log.warn({ err, key: ref.key, messageId: ref.messageId }, 'evidence could not be fetched');
    }
  }
  return out;
}

export function evidenceRefs(msg: { messageId: string; imageKeys: string[]; files: { key: string; name: string }[] }): EvidenceRef[] {
  return [
    ...msg.imageKeys.map((key) => ({ messageId: msg.messageId, kind: 'image' as const, key })),
    ...msg.files.map((f) => ({ messageId: msg.messageId, kind: 'file' as const, key: f.key, fileName: f.name })),
  ];
}
