// Backup → restore into a fresh database → the bot started on it gives the same /待办, through the
// CLI commands an operator runs (`npm run cli -- backup --out …`, `restore --from …`).

import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { dropDatabase } from '../../src/db/migrate.js';
import { silentLogger } from '../../src/logger.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { botReply, sandboxBotEnv, settled, startTestBot, type TestBot } from '../helpers/bot.js';
import { tableChecksums, uniqueDatabaseUrl } from '../helpers/db.js';
import { DEMO, DEMO_USERS, seedDistrict } from '../helpers/district.js';
import { cleanEnv } from '../helpers/process.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);

/** `npm run cli -- …` against `databaseUrl`, as its own process. */
const cli = (databaseUrl: string, ...args: string[]) =>
  run(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', ...args], { cwd: ROOT, env: cleanEnv({ DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn' }) });

describe('backup and restore', () => {
  const now = new Date('2026-11-25T10:00:00+08:00');
  let bot: TestBot;
  let work: string;
  const restoredUrl = uniqueDatabaseUrl('restored');
  const junkUrl = uniqueDatabaseUrl('junk');
  let sandbox: Sandbox | undefined;
  let restored: App | undefined;

  beforeAll(async () => {
    bot = await startTestBot({ mode: 'webhook', clock: () => now, sandbox: { users: DEMO_USERS } });
    await seedDistrict(bot.db.prisma, 2026, new Date('2026-01-05T09:00:00+08:00'));
    const sec = await bot.db.prisma.person.findUniqueOrThrow({ where: { code: DEMO.secretary.code } });
    await bot.db.prisma.obligation.updateMany({ where: { personId: sec.id, ruleCode: 'LIAISON_VISIT_SECRETARY', periodKey: '2026-11' }, data: { status: 'DONE', doneCount: 1, completedAt: now } });
    work = mkdtempSync(path.join(os.tmpdir(), 'dangjian-backup-'));
  }, 120_000);
  afterAll(async () => {
    await restored?.close(2000);
    await sandbox?.close();
    await bot?.close();
    await dropDatabase(restoredUrl);
    await dropDatabase(junkUrl);
    rmSync(work, { recursive: true, force: true });
  });

  it('reliability §7.25 (restore half): restores a backup taken while the bot runs into a fresh database with every row and value (row counts and checksums per table), and the bot there answers /待办 the same', async () => {
    const before = (await botReply(bot, DEMO.secretary.openId, '/待办')).content;
    const file = path.join(work, 'backup.jsonl.gz');
    const b = await cli(bot.db.url, 'backup', '--out', file);
    expect(b.stdout).toMatch(/已备份 \d+ 张表、\d+ 行/);

    const r = await cli(restoredUrl, 'restore', '--from', file);
    expect(r.stdout).toMatch(/已从 .* 恢复 \d+ 张表、\d+ 行/);
    // Every table, every row and value, as in the database backed up (the same check as a renaming migration's).
    await settled(bot);
    expect(await tableChecksums(restoredUrl)).toEqual(await tableChecksums(bot.db.url));

    sandbox = await startSandbox({ port: 0, delivery: { mode: 'none' }, users: DEMO_USERS });
    const config = loadConfig({ ...sandboxBotEnv(sandbox, restoredUrl), PORT: '0' });
    restored = await startApp({ config, databaseUrl: restoredUrl, log: silentLogger, clock: () => now, queueName: `restored-${Date.now()}`, pacerScope: `restored-${Date.now()}`, reminderCron: false });
    sandbox.setDelivery({ mode: 'webhook', url: `http://127.0.0.1:${restored.port}/lark/events` });
    const messageId = await sandbox.userSends({ from: DEMO.secretary.openId, text: '/待办' });
    const after = (await sandbox.waitFor((m) => m.parentId === messageId, 20_000)).content;
    expect(JSON.stringify(after)).toContain('待办');
    expect(after).toEqual(before);

    // New rows in the restored database get new ids (the sequences continue after the restored ones).
    const maxUnit = await restored.deps.db.unit.aggregate({ _max: { id: true } });
    const unit = await restored.deps.db.unit.create({ data: { code: 'NEW-UNIT', name: '新单位', kind: 'TOWN' } });
    expect(unit.id).toBeGreaterThan(maxUnit._max.id!);
  }, 180_000);

  it('refuses to restore into a database that has data, and a file that is not a backup, each in one line', async () => {
    const file = path.join(work, 'backup.jsonl.gz');
    const intoFull = await cli(bot.db.url, 'restore', '--from', file).then(
      () => '',
      (err: { stderr: string }) => err.stderr,
    );
    expect(intoFull).toContain('目标数据库不是空的');
    const junk = path.join(work, 'junk.gz');
    writeFileSync(junk, 'not a backup');
    const notBackup = await cli(junkUrl, 'restore', '--from', junk).then(
      () => '',
      (err: { stderr: string }) => err.stderr,
    );
    expect(notBackup).toContain('不是本系统的备份文件');
  }, 120_000);
});
