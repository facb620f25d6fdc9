import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * The one structured logger. Children carry the event or job id: `log.child({ eventId })`.
 *
 * Lines go to stdout asynchronously, in writes of at least 4 KiB (or at once when `sync`), so a burst of
 * events does not wait on the terminal or the log collector; what is buffered is written out when the
 * process exits (pino flushes it on 'exit'). At info the event path writes at most one line per event.
 */
/** `dest` 2: log records to stderr (the CLI, whose stdout is its Chinese lines). */
export function createLogger(opts: { level?: string; pretty?: boolean; sync?: boolean; dest?: 1 | 2 } = {}): Logger {
  const options = {
    level: opts.level ?? 'info',
    base: { app: 'dangjian-bot' },
    redact: ['*.appSecret', '*.encryptKey', '*.mobile', '*.email'],
  };
  if (opts.pretty) return pino({ ...options, transport: { target: 'pino-pretty', options: { colorize: true } } });
  return pino(options, pino.destination({ dest: opts.dest ?? 1, sync: opts.sync ?? false, minLength: opts.sync ? 0 : 4096 }));
}

/** A silent logger for tests and tools. */
export const silentLogger: Logger = pino({ level: 'silent' });
