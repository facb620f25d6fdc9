import * as lark from '@larksuiteoapi/node-sdk';
import type { LarkConfig } from '../config.js';
import type { Logger } from '../logger.js';

export type LarkClient = lark.Client;

/**
 * The SDK's logger interface, routed into ours. The SDK logs every failed call at error level with
 * the whole request; the messenger classifies and logs failures itself, so those go to debug.
 */
export function sdkLogger(log: Logger) {
  return {
    error: (...m: unknown[]) => log.debug({ sdk: m }, 'lark sdk error'),
    warn: (...m: unknown[]) => log.warn({ sdk: m }, 'lark sdk'),
    info: (...m: unknown[]) => log.debug({ sdk: m }, 'lark sdk'),
    debug: (...m: unknown[]) => log.trace({ sdk: m }, 'lark sdk'),
    trace: (...m: unknown[]) => log.trace({ sdk: m }, 'lark sdk'),
  };
}

// axios' default timeout is none: a hung Lark call would hold a worker forever.
lark.defaultHttpInstance.defaults.timeout = 10_000;

export function createLarkClient(cfg: LarkConfig, log: Logger): LarkClient {
  return new lark.Client({
    appId: cfg.appId,
    appSecret: cfg.appSecret,
    appType: lark.AppType.SelfBuild,
    domain: cfg.domain,
    cache: new lark.DefaultCache(), // per client, not the SDK's process-global cache
    logger: sdkLogger(log),
    loggerLevel: lark.LoggerLevel.warn,
  });
}
