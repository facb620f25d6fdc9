// When the local sandbox is the Lark, it should know the roster's people: each active person with an
// open_id becomes a sandbox user under that open_id and name, so reminders reach them and they appear
// in the sandbox page's user list. Read at start and again every few seconds (an import from the CLI
// or from chat adds people while the bot runs).
import type { Db } from '../db/client.js';
import type { Logger } from '../logger.js';

export function syncSandboxUsers(db: Db, sandbox: { addUser(u: { openId: string; name: string }): void }, log: Logger, everyMs = 10_000): () => void {
  const known = new Map<string, string>();
  const sync = async () => {
    const people = await db.person.findMany({ where: { active: true, larkOpenId: { not: null } }, select: { larkOpenId: true, name: true }, orderBy: { id: 'asc' } });
    for (const p of people) {
      if (known.get(p.larkOpenId!) === p.name) continue;
      sandbox.addUser({ openId: p.larkOpenId!, name: p.name });
      known.set(p.larkOpenId!, p.name);
    }
  };
  const run = () => void sync().catch((err: unknown) => log.warn({ err }, 'could not read the roster for the sandbox'));
  run();
  const timer = setInterval(run, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
