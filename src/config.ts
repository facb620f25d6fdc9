import { randomBytes } from 'node:crypto';
import { z } from 'zod';

/**
 * Configuration, read once from the environment and validated. Nothing else reads process.env.
 * A wrong or missing value stops the process with one line naming the variable and what it should be.
 */

const schema = z.object({
  LARK_APP_ID: z
    .string()
    .regex(/^cli_[0-9a-zA-Z]+$/, 'should be the app id from the Lark developer console, like cli_a1b2c3d4e5f60718')
    .optional(),
  LARK_APP_SECRET: z.string().min(1, 'should be the app secret from the Lark developer console').optional(),
  LARK_DOMAIN: z
    .string()
    .refine((v) => v === 'feishu' || v === 'lark' || /^https?:\/\/[^\s]+$/.test(v), 'should be feishu, lark, or a base URL such as http://127.0.0.1:4010')
    .optional(),
  LARK_EVENT_MODE: z.enum(['ws', 'webhook'], { message: 'should be ws (long connection) or webhook' }).default('ws'),
  LARK_ENCRYPT_KEY: z.string().min(1).optional(),
  LARK_VERIFICATION_TOKEN: z.string().min(1).optional(),
  LARK_TENANT_KEY: z.string().min(1).optional(),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'should be a PostgreSQL URL like postgresql://user@127.0.0.1:5432/dangjian')
    .optional(),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'should be a Redis URL like redis://127.0.0.1:6379').optional(),
  PORT: z.coerce.number({ message: 'should be a TCP port number' }).int().min(0).max(65535).default(3000),
  SANDBOX_PORT: z.coerce.number({ message: 'should be a TCP port number' }).int().min(0).max(65535).default(4010),
  DATA_DIR: z.string().default('.data'),
  EMBEDDED_PG_PORT: z.coerce.number({ message: 'should be a TCP port number' }).int().min(1).max(65535).default(54320),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  WORK_HOURS: z
    .string()
    .regex(/^\d{2}:\d{2}-\d{2}:\d{2}$/, 'should be like 09:00-17:30')
    .default('09:00-17:30'),
  OD_CONTACT: z.string().default('区委组织部（电话 22830601）'),
  URGENT_AFTER_WORKING_DAYS: z.coerce
    .number({ message: 'should be a number of working days, e.g. 3 (leave empty to turn urgent pushes off)' })
    .int({ message: 'should be a whole number of working days, e.g. 3' })
    .min(1, { message: 'should be at least 1 (leave empty to turn urgent pushes off)' })
    .optional(),
  WORKER_PROCESSES: z.coerce.number({ message: 'should be a number from 0 to 8' }).int().min(0).max(8).default(1),
  LARK_APP_PER_MINUTE: z.coerce
    .number({ message: 'should be a whole number from 1 to 1000 (messages per minute; Lark allows 1000)' })
    .int({ message: 'should be a whole number from 1 to 1000 (messages per minute; Lark allows 1000)' })
    .min(1, { message: 'should be a whole number from 1 to 1000 (messages per minute; Lark allows 1000)' })
    .max(60_000, { message: 'should be at most 1000 against Lark (it allows an app 1000 messages per minute); more only for a stand-in with higher limits' })
    .default(985),
  EVIDENCE_FETCH_ATTEMPTS: z.coerce.number({ message: 'should be a whole number from 1 to 20' }).int().min(1).max(20).default(8),
  LARK_APP_PER_SECOND: z.coerce
    .number({ message: 'should be a whole number from 1 to 50 (messages per second; Lark allows 50)' })
    .int({ message: 'should be a whole number from 1 to 50 (messages per second; Lark allows 50)' })
    .min(1, { message: 'should be a whole number from 1 to 50 (messages per second; Lark allows 50)' })
    .max(3000, { message: 'should be at most 50 against Lark (it allows an app 50 messages per second); more only for a stand-in with higher limits' })
    .default(48),
  CONFIG_REFRESH_SECONDS: z.coerce.number({ message: 'should be a number of seconds from 0.1 to 3600' }).min(0.1).max(3600).default(15),
  SHUTDOWN_GRACE_SECONDS: z.coerce.number({ message: 'should be a number of seconds from 0.1 to 600' }).min(0.1).max(600).default(10),
});

export type Env = Record<string, string | undefined>;

export interface Config {
  readonly lark: LarkConfig;
  /** Set when no Lark credentials are configured: the bot starts the local Lark sandbox and uses it. */
  readonly sandbox?: { readonly port: number };
  /** undefined: start an embedded PostgreSQL under dataDir. */
  readonly databaseUrl?: string;
  /** undefined: run the queue on BullMQ's PostgreSQL backend. */
  readonly redisUrl?: string;
  readonly port: number;
  readonly dataDir: string;
  /** The embedded PostgreSQL's port (used when databaseUrl is not set). */
  readonly embeddedPgPort: number;
  readonly logLevel: string;
  readonly workHours: { readonly start: string; readonly end: string };
  readonly odContact: string;
  /** Lark urgent push (加急) on reminder cards of duties this many working days late; undefined = off. */
  readonly urgentAfterWorkingDays?: number;
  /** Queue workers in their own processes (0: in the main process). Keeps event intake fast under load. */
  readonly workerProcesses: number;
  /** The send pacer's cap on messages per sliding minute, per process (Lark: 1000/min as well as 50/s per app). */
  readonly larkAppPerMinute: number;
  /** Downloads of a photo or file Lark did not hand over at once: attempts of its job (backoff 2 s, doubling). */
  readonly evidenceFetchAttempts: number;
  /** The send pacer's messages per second, per process (Lark: 50/s per app; 48 keeps headroom for jitter). */
  readonly larkAppPerSecond: number;
  /** How often each process re-reads what OD staff changed from chat (calendar, catalog) from PostgreSQL. */
  readonly configRefreshMs: number;
  /** On SIGTERM, how long running jobs may take to finish; those still running then are handed back to the queue. */
  readonly shutdownGraceMs: number;
}

export interface LarkConfig {
  readonly appId: string;
  readonly appSecret: string;
  /** Base URL given to the SDK as `domain`. */
  readonly domain: string;
  readonly eventMode: 'ws' | 'webhook';
  readonly encryptKey?: string;
  readonly verificationToken?: string;
  /** The tenant whose events are served; unset: asked from Lark at start (tenant/v2/tenant/query). */
  readonly tenantKey?: string;
}

/** The credentials the embedded sandbox is started with (see src/sandbox). */
export const SANDBOX_CREDENTIALS = {
  appId: 'cli_a1b2c3d4e5f60718',
  appSecret: 'sandbox-secret',
  verificationToken: 'sandbox-verification-token',
} as const;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(env: Env = process.env): Config {
  // Empty strings count as unset, as in most .env files.
  const clean = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(clean);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = String(issue.path[0] ?? 'environment');
    throw new ConfigError(`${name} ${issue.message}`);
  }
  const e = parsed.data;
  const [start, end] = e.WORK_HOURS.split('-') as [string, string];

  let lark: LarkConfig;
  let sandbox: Config['sandbox'];
  if (!e.LARK_APP_ID && !e.LARK_APP_SECRET) {
    sandbox = { port: e.SANDBOX_PORT };
    lark = {
      ...SANDBOX_CREDENTIALS,
      // A key of this run only, never a constant anyone could sign with (the sandbox and the bot share it).
      encryptKey: randomBytes(24).toString('base64url'),
      domain: `http://127.0.0.1:${e.SANDBOX_PORT}`,
      eventMode: e.LARK_EVENT_MODE,
    };
  } else {
    if (!e.LARK_APP_ID) throw new ConfigError('LARK_APP_ID is required when LARK_APP_SECRET is set');
    if (!e.LARK_APP_SECRET) throw new ConfigError('LARK_APP_SECRET is required when LARK_APP_ID is set');
    if (e.LARK_EVENT_MODE === 'webhook' && !e.LARK_ENCRYPT_KEY) {
      // Without an Encrypt Key Lark does not sign events, and anyone could post forged ones.
      throw new ConfigError('LARK_ENCRYPT_KEY is required in webhook mode: set the Encrypt Key from the console (Events & Callbacks → Encryption Strategy)');
    }
    lark = {
      appId: e.LARK_APP_ID,
      appSecret: e.LARK_APP_SECRET,
      domain: larkDomain(e.LARK_DOMAIN ?? 'feishu'),
      eventMode: e.LARK_EVENT_MODE,
      encryptKey: e.LARK_ENCRYPT_KEY,
      verificationToken: e.LARK_VERIFICATION_TOKEN,
      ...(e.LARK_TENANT_KEY ? { tenantKey: e.LARK_TENANT_KEY } : {}),
    };
  }

  return Object.freeze({
    lark,
    sandbox,
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    port: e.PORT,
    dataDir: e.DATA_DIR,
    embeddedPgPort: e.EMBEDDED_PG_PORT,
    logLevel: e.LOG_LEVEL,
    workHours: { start, end },
    odContact: e.OD_CONTACT,
    urgentAfterWorkingDays: e.URGENT_AFTER_WORKING_DAYS,
    workerProcesses: e.WORKER_PROCESSES,
    larkAppPerMinute: e.LARK_APP_PER_MINUTE,
    evidenceFetchAttempts: e.EVIDENCE_FETCH_ATTEMPTS,
    larkAppPerSecond: e.LARK_APP_PER_SECOND,
    configRefreshMs: Math.round(e.CONFIG_REFRESH_SECONDS * 1000),
    shutdownGraceMs: Math.round(e.SHUTDOWN_GRACE_SECONDS * 1000),
  });
}

export function larkDomain(v: string): string {
  if (v === 'feishu') return 'https://open.feishu.cn';
  if (v === 'lark') return 'https://open.larksuite.com';
  return v.replace(/\/+$/, '');
}
