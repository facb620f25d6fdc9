import { AppError, type ErrorCode } from '../errors.js';

/** What to do about a failed Lark call. */
export type LarkFailure =
  | { kind: 'rate_limited'; code: number; retryAfterMs: number }
  | { kind: 'retryable'; code: number | null; status: number | null; message: string }
  | { kind: 'unreachable'; code: number; message: string } // the target cannot get messages: do not retry
  | { kind: 'bad_request'; code: number; message: string }
  | { kind: 'auth'; code: number; message: string };

/** Codes meaning the recipient cannot be reached (documented in ../shared/docs/reference/lark-platform.md §4.6). */
const UNREACHABLE: Record<number, string> = {
  230002: '机器人不在该群中',
  230013: '用户不在应用的可用范围内或已离职',
  230029: '用户已离职',
  230035: '没有向该会话发消息的权限',
  230053: '用户已停止接收机器人消息',
  232009: '群已解散',
  41050: '用户不在通讯录权限范围内',
  41012: '用户 ID 无效',
};

const DEFAULT_RATE_LIMIT_WAIT_MS = 1000;

/**
 * Classify an error thrown by (or a non-zero code returned from) the Lark SDK.
 * The SDK throws an AxiosError for HTTP non-2xx; the business code is in response.data.code.
 */
export function classifyLarkError(err: unknown): LarkFailure {
  const e = err as {
    response?: { status?: number; data?: { code?: number; msg?: string }; headers?: Record<string, unknown> };
    code?: number | string;
    msg?: string;
    message?: string;
  };
  const status = e?.response?.status ?? null;
  const body = e?.response?.data ?? (typeof e?.code === 'number' ? { code: e.code, msg: e.msg } : undefined);
  const code = typeof body?.code === 'number' ? body.code : null;
  const message = body?.msg ?? e?.message ?? String(err);

  if (status === 429 || code === 99991400) {
    const reset = Number(e?.response?.headers?.['x-ogw-ratelimit-reset']);
    return { kind: 'rate_limited', code: code ?? 99991400, retryAfterMs: Number.isFinite(reset) && reset > 0 ? reset * 1000 : DEFAULT_RATE_LIMIT_WAIT_MS };
  }
  if (code === 230020) return { kind: 'rate_limited', code, retryAfterMs: DEFAULT_RATE_LIMIT_WAIT_MS };
  if (code !== null && UNREACHABLE[code]) return { kind: 'unreachable', code, message: UNREACHABLE[code]! };
  if (code === 99991663 || code === 99991661 || code === 99991672) return { kind: 'auth', code, message };
  if (status !== null && status >= 500) return { kind: 'retryable', code, status, message };
  if (status === null && code === null) return { kind: 'retryable', code: null, status: null, message }; // network
  return { kind: 'bad_request', code: code ?? status ?? 0, message };
}

export function failureToAppError(f: LarkFailure): AppError {
  const map: Record<LarkFailure['kind'], ErrorCode> = {
    rate_limited: 'lark_rate_limited',
    retryable: 'lark_server_error',
    unreachable: 'lark_unreachable_target',
    bad_request: 'lark_bad_request',
    auth: 'lark_auth',
  };
  const code = 'code' in f ? f.code : null;
  return new AppError(map[f.kind], `Lark ${f.kind}${code !== null ? ` (${code})` : ''}: ${'message' in f ? f.message : ''}`, { larkCode: code });
}

/** Why a message could not be delivered, as the OD reads it: 已离职, 已屏蔽机器人, 不在应用可用范围… */
const REASON_ZH: Record<number, string> = {
  230029: '已离职',
  230053: '已屏蔽机器人',
  230013: '不在应用可用范围',
  41050: '不在通讯录权限范围',
  41012: '飞书账号无效',
  230035: '无权向其发消息',
  230002: '机器人不在该群中',
  232009: '群已解散',
};

/** A stored failure code ('lark_unreachable_target:230029', 'retryable:null', …) in Chinese. */
export function failureReasonZh(stored: string): string {
  const code = Number(stored.split(':')[1]);
  if (REASON_ZH[code]) return REASON_ZH[code]!;
  if (stored.startsWith('lark_bad_request') || stored.startsWith('bad_request')) return `飞书拒绝了这条消息（错误码 ${Number.isFinite(code) ? code : '未知'}）`;
  if (stored.startsWith('lark_auth') || stored.startsWith('auth')) return '机器人凭证无效，请联系管理员';
  return '多次发送失败（飞书暂时不可用）';
}
