// Resolve mobiles and e-mails to Lark open_ids through contact.v3.user.batchGetId (batches of 50 each).
import type * as lark from '@larksuiteoapi/node-sdk';
import { normalizeEmail, normalizeMobile } from '../domain/roster/values.js';
import { classifyLarkError, failureToAppError } from '../lark/errors.js';

/**
 * Looks up Lark users: the result maps each mobile (11 digits, as given) and each e-mail (lower case, as given)
 * that was found to its open_id. Ones not found are simply absent.
 */
export type ResolveIds = (mobiles: string[], emails: string[]) => Promise<Map<string, string>>;

export const BATCH_GET_ID_LIMIT = 50;

export interface LarkResolverOptions {
  /** Retries on rate limiting and server errors (default 3). */
  retries?: number;
  /** Injected for tests; default real setTimeout. */
  sleep?: (ms: number) => Promise<void>;
}

/** A ResolveIds backed by the Lark contact API. Needs the contact:user.id:readonly scope. */
export function larkIdResolver(client: lark.Client, opts: LarkResolverOptions = {}): ResolveIds {
  const retries = opts.retries ?? 3;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));

  async function call(mobiles: string[], emails: string[]) {
    for (let attempt = 0; ; attempt++) {
      try {
        const res = await client.contact.v3.user.batchGetId({
          params: { user_id_type: 'open_id' },
          data: {
            ...(mobiles.length > 0 ? { mobiles } : {}),
            ...(emails.length > 0 ? { emails } : {}),
            include_resigned: false,
          },
        });
        if (res.code !== undefined && res.code !== 0) throw { code: res.code, msg: res.msg };
        return res.data?.user_list ?? [];
      } catch (e) {
        const f = classifyLarkError(e);
        if ((f.kind === 'rate_limited' || f.kind === 'retryable') && attempt < retries) {
          await sleep(f.kind === 'rate_limited' ? f.retryAfterMs : 500 * 3 ** attempt);
          continue;
        }
        throw failureToAppError(f);
      }
    }
  }

  return async (mobiles, emails) => {
    const out = new Map<string, string>();
    const ms = [...new Set(mobiles)];
    const es = [...new Set(emails)];
    const batches = Math.max(Math.ceil(ms.length / BATCH_GET_ID_LIMIT), Math.ceil(es.length / BATCH_GET_ID_LIMIT));
    for (let b = 0; b < batches; b++) {
      const mBatch = ms.slice(b * BATCH_GET_ID_LIMIT, (b + 1) * BATCH_GET_ID_LIMIT);
      const eBatch = es.slice(b * BATCH_GET_ID_LIMIT, (b + 1) * BATCH_GET_ID_LIMIT);
      const users = await call(mBatch, eBatch);
      for (const u of users) {
        if (!u.user_id) continue;
        if (u.mobile) {
          // Lark may echo the number with a country code; key it as we asked for it.
          const m = normalizeMobile(u.mobile);
          if (m !== undefined && mBatch.includes(m)) out.set(m, u.user_id);
          else if (mBatch.includes(u.mobile)) out.set(u.mobile, u.user_id);
        }
        if (u.email) {
          const e = normalizeEmail(u.email) ?? u.email;
          const asked = eBatch.find((x) => x.toLowerCase() === e);
          if (asked !== undefined) out.set(asked, u.user_id);
        }
      }
    }
    return out;
  };
}
