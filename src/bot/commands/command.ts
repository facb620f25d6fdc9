import type { MessageContext } from '../context.js';

export interface CommandContext extends MessageContext {
  /** The whole command table (for /help). */
  readonly commands: readonly Command[];
}

/** One row of the command table. /help is generated from these. */
export interface Command {
  /** Canonical English name: '/help'. */
  readonly name: string;
  /** Chinese name: '/帮助'. */
  readonly zh: string;
  readonly aliases?: readonly string[];
  /** One line, Chinese. */
  readonly summary: string;
  /** Usage, Chinese, e.g. '/责任清单 [本月|本季度|本年]'. */
  readonly usage: string;
  run(ctx: CommandContext, args: string): Promise<void>;
}

export function aliasMap(commands: readonly Command[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const c of commands) for (const a of [c.name, c.zh, ...(c.aliases ?? [])]) m.set(a.toLowerCase(), c.name);
  return m;
}
