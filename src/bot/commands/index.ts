import type { Command } from './command.js';
import { help } from './help.js';

/** The command table: one file per command. /help lists them in this order. */
export const COMMANDS: readonly Command[] = [help];
