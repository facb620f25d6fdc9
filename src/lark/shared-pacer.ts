import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { TARGET_WINDOW_MS, type PacerLimits, type SendClass, type SendPacer } from './pacer.js';

/**
 * The send pacer of `pacer.ts`, kept in Redis so that every replica of the bot draws on one budget:
 * Lark's 50/s and 1000/min are per app, not per process. One Lua script takes a slot atomically on
 * Redis's own clock (replicas' clocks may differ): the same rules as `Pacer.tryTake` — even spacing
 * at `appPerSecond`, sliding one-second windows per app and TARGET_WINDOW_MS ones per target, a sliding 60-s window whose
 * last `reservedPerMinute` slots only interactive sends may take. It answers how long to wait when
 * there is no slot; the caller sleeps and asks again.
 */
const TAKE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local aps = tonumber(ARGV[1])
local perMinute = tonumber(ARGV[2])
local pts = tonumber(ARGV[3])
local waited = ARGV[4] == '1'
local member = ARGV[5]
local tw = tonumber(ARGV[6])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - 60000)
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - tw)
local function windowWait(key, limit, span)
  if limit <= 0 then return 0 end
  local n = redis.call('ZCARD', key)
  if n < limit then return 0 end
  local e = redis.call('ZRANGE', key, n - limit, n - limit, 'WITHSCORES')
  return tonumber(e[2]) + span - now
end
local nextApp = tonumber(redis.call('GET', KEYS[4]) or '0')
local wait = math.max(nextApp - now, windowWait(KEYS[1], aps, 1000), windowWait(KEYS[3], pts, tw), windowWait(KEYS[2], perMinute, 60000))
if pts > 0 then
  local last = redis.call('ZRANGE', KEYS[3], -1, -1, 'WITHSCORES')
  if last[2] then wait = math.max(wait, tonumber(last[2]) + tw / pts - now) end
end
if wait > 0 then return {tostring(wait), tostring(now)} end
redis.call('ZADD', KEYS[1], now, member)
redis.call('PEXPIRE', KEYS[1], 2000)
if perMinute > 0 then
  redis.call('ZADD', KEYS[2], now, member)
  redis.call('PEXPIRE', KEYS[2], 61000)
end
redis.call('ZADD', KEYS[3], now, member)
redis.call('PEXPIRE', KEYS[3], 2000)
if aps > 0 then
  local interval = 1000 / aps
  local n = now + interval
  if waited and nextApp > 0 then n = math.max(nextApp, now - interval) + interval end
  redis.call('SET', KEYS[4], tostring(n), 'PX', 2000)
end
return {'0', tostring(now)}
`;

type TakeFn = (sec: string, minute: string, target: string, next: string, aps: number, perMinute: number, pts: number, waited: string, member: string, targetWindowMs: number) => Promise<[string, string]>;

export class SharedPacer implements SendPacer {
  private readonly redis: Redis;
  private readonly prefix: string;
  private readonly perMinute: number;
  private readonly bulkPerMinute: number;
  private readonly id = randomBytes(4).toString('hex');
  private seq = 0;

  /** `scope`: what shares one budget — the Lark app id (replicas of one app share it). */
  constructor(
    redisUrl: string,
    scope: string,
    private readonly limits: PacerLimits,
  ) {
    this.redis = new Redis(redisUrl, { maxRetriesPerRequest: 3, lazyConnect: false });
    this.redis.on('error', () => {}); // a send that cannot reach Redis fails, and its job is retried
    this.redis.defineCommand('dangjianPacerTake', { numberOfKeys: 4, lua: TAKE });
    this.prefix = `dangjian:pacer:{${scope}}`;
    this.perMinute = Math.max(0, Math.floor(limits.appPerMinute ?? 0));
    const reserved = limits.reservedPerMinute ?? Math.floor(this.perMinute / 50);
    this.bulkPerMinute = this.perMinute > 0 ? Math.max(1, this.perMinute - Math.max(0, Math.floor(reserved))) : 0;
  }

  /** Takes a slot (wait 0) or says how many ms to wait before asking again; `at`: Redis's clock (ms). */
  async tryTake(target: string, kind: SendClass = 'interactive', waited = false): Promise<{ wait: number; at: number }> {
    const take = (this.redis as unknown as { dangjianPacerTake: TakeFn }).dangjianPacerTake.bind(this.redis);
    const [wait, at] = await take(
      `${this.prefix}:sec`,
      `${this.prefix}:min`,
      `${this.prefix}:t:${target}`,
      `${this.prefix}:next`,
      this.limits.appPerSecond,
      kind === 'bulk' ? this.bulkPerMinute : this.perMinute,
      this.limits.perTargetPerSecond,
      waited ? '1' : '0',
      `${this.id}-${++this.seq}`,
      TARGET_WINDOW_MS,
    );
    return { wait: Number(wait), at: Number(at) };
  }

  /** Resolves when a slot is taken, with its instant on Redis's clock. */
  async acquire(target: string, _now?: () => number, kind: SendClass = 'interactive'): Promise<number> {
    let waited = false;
    for (;;) {
      const { wait, at } = await this.tryTake(target, kind, waited);
      if (wait <= 0) return at;
      waited = true;
      await new Promise((r) => setTimeout(r, Math.ceil(wait)));
    }
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => {});
  }
}
