// Small helpers around node:http: body reading, JSON answers, multipart/form-data parsing.
import type { IncomingMessage, ServerResponse } from 'node:http';

export const MAX_BODY_BYTES = 40 * 1024 * 1024; // above Lark's 30 MB file limit so we can answer 234006 ourselves

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(`HTTP ${status}`);
  }
}

export async function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > limit) throw new HttpError(413, { code: 99992402, msg: 'request body too large' });
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

export function parseJson(raw: Buffer): unknown {
  if (raw.length === 0) return {};
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw new HttpError(400, { code: 9499, msg: 'Bad Request: invalid JSON body' });
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export function sendBytes(res: ServerResponse, status: number, bytes: Buffer, headers: Record<string, string>): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'Content-Length': bytes.length, ...headers });
  res.end(bytes);
}

export interface MultipartPart {
  name: string;
  fileName?: string;
  contentType?: string;
  data: Buffer;
}

/** Minimal multipart/form-data parser (enough for axios/form-data uploads from the SDK). */
export function parseMultipart(body: Buffer, contentType: string | undefined): MultipartPart[] {
  const m = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType ?? '');
  const boundaryText = m?.[1] ?? m?.[2];
  if (!boundaryText) throw new HttpError(400, { code: 234001, msg: 'Invalid request param: expected multipart/form-data' });
  const boundary = Buffer.from(`--${boundaryText.trim()}`);
  const parts: MultipartPart[] = [];
  let pos = body.indexOf(boundary);
  while (pos !== -1) {
    let start = pos + boundary.length;
    if (body.subarray(start, start + 2).toString() === '--') break; // closing boundary
    if (body.subarray(start, start + 2).toString() === '\r\n') start += 2;
    const next = body.indexOf(boundary, start);
    if (next === -1) break;
    const part = body.subarray(start, next - 2); // strip the CRLF before the boundary
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd !== -1) {
      const headerText = part.subarray(0, headerEnd).toString('utf8');
      const data = part.subarray(headerEnd + 4);
      const disposition = /content-disposition:([^\r\n]*)/i.exec(headerText)?.[1] ?? '';
      const name = /\bname="([^"]*)"/i.exec(disposition)?.[1];
      const fileName = /\bfilename="([^"]*)"/i.exec(disposition)?.[1];
      const partType = /content-type:\s*([^\r\n]*)/i.exec(headerText)?.[1]?.trim();
      if (name !== undefined) parts.push({ name, data: Buffer.from(data), ...(fileName !== undefined ? { fileName } : {}), ...(partType ? { contentType: partType } : {}) });
    }
    pos = next;
  }
  return parts;
}
