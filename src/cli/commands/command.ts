import type { CliRuntime } from '../runtime.js';

export interface CliArgs {
  /** Positional words after the command words. */
  positional: string[];
  /** --name value, or --flag → 'true'. */
  options: Record<string, string>;
}

/** One row of the CLI table. */
export interface CliCommand {
  /** The words that select it, e.g. ['import', 'roster']. */
  words: string[];
  usage: string;
  summary: string;
  /** Commands that need no database (e.g. catalog check) say so. */
  needsDb?: boolean;
  run(args: CliArgs, rt: () => Promise<CliRuntime>): Promise<void>;
}
