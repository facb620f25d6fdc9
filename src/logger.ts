import { pino, type Logger } from 'pino';

export type { Logger };

/** The one structured logger. Children carry the event or job id: `log.child({ eventId })`. */
export function createLogger(opts: { level?: string; pretty?: boolean } = {}): Logger {
  return pino({
    level: opts.level ?? 'info',
    base: { app: 'dangjian-bot' },
    redact: ['*.appSecret', '*.encryptKey', '*.mobile', '*.email'],
    ...(opts.pretty ? { transport: { target: 'pino-pretty', options: { colorize: true } } } : {}),
  });
}

/** A silent logger for tests and tools. */
export const silentLogger: Logger = pino({ level: 'silent' });
