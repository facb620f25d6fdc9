import { Queue, Worker, createPostgresBackend, withBackend, type Processor } from 'bullmq';
import { Redis } from 'ioredis';
import { AppError } from '../errors.js';

/**
 * BullMQ on Redis when REDIS_URL is set, otherwise on BullMQ's PostgreSQL backend (the embedded
 * default). Both give the same Queue and Worker; the rest of the code does not know which.
 */
export interface QueueBackend {
  readonly kind: 'redis' | 'postgres';
  makeQueue(name: string): Queue;
  makeWorker(name: string, fn: Processor, opts: { concurrency: number; limiter?: { max: number; duration: number } }): Worker;
  /**
   * Throws when the backend cannot keep jobs safely (e.g. Redis evicting keys), or, with code
   * `queue_unavailable`, when it cannot be reached within 5 s (the bot starts anyway: see app.ts).
   */
  check(): Promise<void>;
  /** Why jobs cannot be queued now (Redis not connected), or undefined when they can. */
  unavailable(): string | undefined;
  /** Calls `fn` each time the queue's connection comes (back) up: Redis appeared or returned after an outage. */
  onReconnect(fn: () => void): void;
  close(): Promise<void>;
}

export function redisBackend(url: string): QueueBackend {
  // Producers fail fast when Redis is down; workers wait for it forever (BullMQ requires null here).
  const producer = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false });
  const workerConns: Redis[] = [];
  producer.on('error', () => {}); // reported through check() and job failures, not as a crash
  return {
    kind: 'redis',
    makeQueue: (name) => new Queue(name, { connection: producer, defaultJobOptions: DEFAULT_JOB_OPTIONS }),
    makeWorker: (name, fn, opts) => {
      const conn = new Redis(url, { maxRetriesPerRequest: null });
      workerConns.push(conn);
      return new Worker(name, fn, { connection: conn, ...opts });
    },
    async check() {
      if (producer.status !== 'ready') await new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => {
          producer.off('ready', ready);
          reject(new AppError('queue_unavailable', `REDIS_URL: cannot reach Redis at ${redact(url)}`));
        }, 5000);
        const ready = () => (clearTimeout(t), resolve());
        producer.once('ready', ready);
      });
      const res = (await producer.config('GET', 'maxmemory-policy')) as unknown as string[];
      const policy = res[1];
      if (policy && policy !== 'noeviction') {
        throw new AppError('config_invalid', `Redis maxmemory-policy is ${policy}; it must be noeviction or queued work can silently vanish (redis-cli config set maxmemory-policy noeviction)`);
      }
    },
    unavailable: () => (producer.status === 'ready' ? undefined : `Redis at ${redact(url)} is not connected (${producer.status})`),
    onReconnect(fn) {
      producer.on('ready', fn);
    },
    async close() {
      // A connection still trying to reach Redis is dropped (QUIT would wait for it).
      await Promise.allSettled([producer, ...workerConns].map((c) => (c.status === 'ready' ? c.quit() : c.disconnect())));
    },
  };
}

export function postgresBackend(databaseUrl: string): QueueBackend {
  const B = withBackend(createPostgresBackend);
  const connection = { connectionString: databaseUrl, migrate: true };
  return {
    kind: 'postgres',
    makeQueue: (name) => new B.Queue(name, { connection, defaultJobOptions: DEFAULT_JOB_OPTIONS }) as unknown as Queue,
    makeWorker: (name, fn, opts) => new B.Worker(name, fn, { connection, ...opts }) as unknown as Worker,
    async check() {},
    unavailable: () => undefined,
    onReconnect() {},
    async close() {},
  };
}

export const DEFAULT_JOB_OPTIONS = {
  attempts: 5,
  backoff: { type: 'exponential' as const, delay: 2000, jitter: 0.3 },
  removeOnComplete: { age: 24 * 3600, count: 10_000 },
  removeOnFail: { age: 14 * 24 * 3600 },
};

function redact(url: string): string {
  return url.replace(/\/\/[^@]*@/, '//***@');
}
