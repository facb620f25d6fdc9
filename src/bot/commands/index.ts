import type { Command } from './command.js';
import { calendar } from './calendar.js';
import { catalogCommand } from './catalog.js';
import { templates } from './templates.js';
import { duties } from './duties.js';
import { exportCommand } from './export.js';
import { help } from './help.js';
import { inspect } from './inspect.js';
import { notice } from './notice.js';
import { rectify } from './rectify.js';
import { report } from './report.js';
import { stats } from './stats.js';
import { todo } from './todo.js';
import { unit } from './unit.js';
import { whoami } from './whoami.js';

/** The command table: one file per command. /help lists them in this order. */
export const COMMANDS: readonly Command[] = [help, whoami, duties, report, todo, unit, stats, inspect, notice, exportCommand, rectify, calendar, catalogCommand, templates];
