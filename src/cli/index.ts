import 'dotenv/config';
import { isAppError } from '../errors.js';
import { catalogCheck } from './commands/catalog.js';
import { demo } from './commands/demo.js';
import { exportAssessment } from './commands/export.js';
import type { CliArgs, CliCommand } from './commands/command.js';
import { importList, importProjects, importRoster } from './commands/import.js';
import { obligationsGenerate } from './commands/obligations.js';
import { remindersTick } from './commands/reminders.js';
import { importTemplates } from './commands/templates.js';
import { openRuntime, type CliRuntime } from './runtime.js';

/** The CLI table: `npm run cli -- <words> [args]`. One file per command group. */
export const CLI_COMMANDS: readonly CliCommand[] = [importRoster, importList, importProjects, importTemplates, catalogCheck, obligationsGenerate, remindersTick, exportAssessment, demo];

export function parseArgs(argv: string[]): CliArgs {
  const positional: string[] = [];
  const options: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a.startsWith('--')) {
      const [k, v] = a.slice(2).split('=', 2) as [string, string | undefined];
      if (v !== undefined) options[k] = v;
      else if (argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('--')) options[k] = argv[++i]!;
      else options[k] = 'true';
    } else positional.push(a);
  }
  return { positional, options };
}

function usage(): string {
  return ['用法：npm run cli -- <命令>', '', ...CLI_COMMANDS.map((c) => `  ${c.usage}\n      ${c.summary}`)].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const cmd = CLI_COMMANDS.find((c) => c.words.every((w, i) => argv[i] === w));
  if (!cmd) {
    console.error(argv.length ? `未知命令：${argv.join(' ')}\n\n${usage()}` : usage());
    return argv.length ? 2 : 0;
  }
  let rt: CliRuntime | undefined;
  const runtime = async () => (rt ??= await openRuntime());
  try {
    await cmd.run(parseArgs(argv.slice(cmd.words.length)), runtime);
    return 0;
  } catch (err) {
    console.error(isAppError(err) || err instanceof Error ? `失败：${err.message}` : err);
    return 1;
  } finally {
    await rt?.close();
  }
}

main(process.argv.slice(2)).then((code) => process.exit(code));
