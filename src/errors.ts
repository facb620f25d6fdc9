/** Errors with stable codes. User-facing codes carry a Chinese message the bot may show as is. */
export type ErrorCode =
  | 'bad_input'
  | 'not_found'
  | 'forbidden'
  | 'not_in_roster'
  | 'conflict'
  | 'config_invalid'
  | 'queue_unavailable'
  | 'already_running'
  | 'lark_rate_limited'
  | 'lark_unreachable_target'
  | 'lark_bad_request'
  | 'lark_server_error'
  | 'lark_auth'
  | 'internal';

const USER_FACING: ReadonlySet<ErrorCode> = new Set(['bad_input', 'not_found', 'forbidden', 'not_in_roster', 'conflict']);

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'AppError';
  }
  get userFacing(): boolean {
    return USER_FACING.has(this.code);
  }
}

export function isAppError(e: unknown, code?: ErrorCode): e is AppError {
  return e instanceof AppError && (code === undefined || e.code === code);
}

/** Errors that a retry cannot fix: the job fails at once (BullMQ UnrecoverableError) and leaves its trace now. */
const PERMANENT: ReadonlySet<ErrorCode> = new Set(['bad_input', 'not_found', 'forbidden', 'not_in_roster', 'lark_unreachable_target', 'lark_bad_request']);

export function isPermanentError(e: unknown): e is AppError {
  return e instanceof AppError && PERMANENT.has(e.code);
}
