// At-least-once event delivery with Lark's re-push schedule.
//
// An event that is not acked within ackTimeoutMs (webhook: HTTP 200; ws: echoed frame with {"code":200}) is pushed
// again, with the same event_id, after each delay in redeliverAfterMs (Lark: 15 s, 5 min, 1 h, 6 h).
// Card callbacks get a single attempt: the user sees an error instead of a retry.
import type { Envelope } from './events.js';
import type { SandboxStats } from './openapi.js';

export type PushResult = { ok: true; answer: unknown } | { ok: false; reason: string };

export interface Transport {
  readonly name: string;
  push(env: Envelope, timeoutMs: number): Promise<PushResult>;
}

export type EventStatus = 'pending' | 'acked' | 'retrying' | 'failed' | 'not_delivered';

export interface DeliveryOptions {
  transport: () => Transport | null;
  ackTimeoutMs: number;
  redeliverAfterMs: number[];
  stats: SandboxStats;
  log: (line: string) => void;
}

export class Delivery {
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;

  constructor(private readonly o: DeliveryOptions) {}

  /** Push an event in the background, re-pushing on the schedule until acked. */
  deliverEvent(env: Envelope, onStatus: (s: EventStatus) => void = () => {}): void {
    const attempt = async (n: number): Promise<void> => {
      if (this.closed) return;
      const transport = this.o.transport();
      if (!transport) {
        onStatus('not_delivered');
        this.o.log(`event ${env.header.event_type} ${env.header.event_id}: delivery disabled, not pushed`);
        return;
      }
      if (n === 0) this.o.stats.deliveries += 1;
      else this.o.stats.redeliveries += 1;
      const r = await this.push(transport, env);
      if (this.closed) return;
      if (r.ok) {
        this.o.stats.acked += 1;
        onStatus('acked');
        this.o.log(`event ${env.header.event_type} ${env.header.event_id} acked via ${transport.name} (attempt ${n + 1})`);
        return;
      }
      const delay = this.o.redeliverAfterMs[n];
      if (delay === undefined) {
        onStatus('failed');
        this.o.log(`event ${env.header.event_id} not acked (${r.reason}); giving up after ${n + 1} attempts`);
        return;
      }
      onStatus('retrying');
      this.o.log(`event ${env.header.event_id} not acked (${r.reason}); re-push in ${delay} ms`);
      this.later(delay, () => void attempt(n + 1));
    };
    onStatus('pending');
    void attempt(0);
  }

  /** A card callback: one push, and the bot's answer comes back to the clicking user. */
  async deliverCallback(env: Envelope): Promise<PushResult> {
    const transport = this.o.transport();
    if (!transport) return { ok: false, reason: 'delivery disabled' };
    this.o.stats.deliveries += 1;
    const r = await this.push(transport, env);
    if (r.ok) this.o.stats.acked += 1;
    else this.o.log(`card callback ${env.header.event_id} failed: ${r.reason}`);
    return r;
  }

  private async push(transport: Transport, env: Envelope): Promise<PushResult> {
    this.o.stats.pushing += 1;
    try {
      return await transport.push(env, this.o.ackTimeoutMs);
    } finally {
      this.o.stats.pushing -= 1;
    }
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}
