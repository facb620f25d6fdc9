// Lark's webhook crypto and the ids the sandbox hands out.
//
// Encryption (lark-platform.md §3b): key = sha256(encryptKey); body = base64(iv || AES-256-CBC(key, iv, PKCS7(json))).
// Signature: hex sha256(timestamp + nonce + encryptKey + rawBody), sent as X-Lark-Signature.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

export function encryptEvent(encryptKey: string, plaintext: string): string {
  const key = createHash('sha256').update(encryptKey).digest();
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-256-cbc', key, iv);
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, body]).toString('base64');
}

export function decryptEvent(encryptKey: string, encrypted: string): string {
  const key = createHash('sha256').update(encryptKey).digest();
  const buf = Buffer.from(encrypted, 'base64');
  const decipher = createDecipheriv('aes-256-cbc', key, buf.subarray(0, 16));
  return Buffer.concat([decipher.update(buf.subarray(16)), decipher.final()]).toString('utf8');
}

export function signWebhook(timestamp: string, nonce: string, encryptKey: string, rawBody: string): string {
  return createHash('sha256').update(timestamp + nonce + encryptKey + rawBody).digest('hex');
}

export function hex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

/** Stable pseudo ids derived from a seed (so a user's user_id/union_id never change between runs). */
export function stableHex(seed: string, chars: number): string {
  return createHash('sha1').update(seed).digest('hex').slice(0, chars);
}

export const newId = {
  message: () => `om_${hex(16)}`,
  chat: () => `oc_${hex(16)}`,
  event: () => hex(16),
  tenantToken: () => `t-${hex(20)}`,
  cardToken: () => `c-${hex(20)}`,
  image: () => `img_v3_${hex(4)}_${hex(14)}`,
  file: () => `file_v3_${hex(4)}_${hex(14)}`,
  batch: () => `bm-${hex(16)}`,
  thread: () => `omt_${hex(8)}`,
};
