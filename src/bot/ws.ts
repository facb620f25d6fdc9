import * as lark from '@larksuiteoapi/node-sdk';
import type { LarkConfig } from '../config.js';
import { sdkLogger } from '../lark/client.js';
import type { Logger } from '../logger.js';
import type { Intake } from './intake.js';

export interface WsTransport {
  readonly ready: Promise<void>;
  close(): void;
}

/**
 * Long-connection transport: the SDK's WSClient delivers each event envelope to `invoke`, which
 * hands it to intake and returns at once (the SDK acks after invoke resolves). pingTimeout is set
 * below Lark's 120 s ping interval so a half-open socket is noticed (lark-platform.md §3a).
 */
export function startWsTransport(cfg: LarkConfig, intake: Intake, log: Logger, opts: { pingTimeoutSec?: number } = {}): WsTransport {
  let resolveReady!: () => void;
  const ready = new Promise<void>((r) => (resolveReady = r));
  const client = new lark.WSClient({
    appId: cfg.appId,
    appSecret: cfg.appSecret,
    domain: cfg.domain,
    logger: sdkLogger(log),
    loggerLevel: lark.LoggerLevel.warn,
    autoReconnect: true,
    handshakeTimeoutMs: 15_000,
    wsConfig: { pingTimeout: opts.pingTimeoutSec ?? 90 },
    onReady: () => {
      log.info('lark long connection ready');
      resolveReady();
    },
    onError: (err) => log.error({ err }, 'lark long connection failed'),
    onReconnecting: () => log.warn('lark long connection lost; reconnecting'),
    onReconnected: () => log.info('lark long connection re-established'),
  });
  // A minimal dispatcher: the SDK only calls invoke(envelope). Our intake does the checks itself.
  const dispatcher = {
    invoke: async (data: unknown) => {
      const r = await intake.accept(data);
      // Overloaded: the SDK answers the frame with an error, and Lark re-delivers the event later.
      if (r.status === 'overloaded') throw new Error('intake overloaded');
      return r.answer;
    },
  } as unknown as lark.EventDispatcher;
  void client.start({ eventDispatcher: dispatcher });
  return {
    ready,
    close: () => client.close({ force: true }),
  };
}
