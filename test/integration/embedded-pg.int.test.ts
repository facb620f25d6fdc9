// The embedded PostgreSQL of `npm start`, started as root from a checkout or data folder in a private
// folder (mode 700, like root's home or `mktemp -d`), where the `postgres` user it runs as cannot reach:
// it still starts, keeps its files where that user can reach them, and says where.

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres } from '../../src/db/embedded.js';
import { freePort } from '../helpers/process.js';

const cleanups: (() => void)[] = [];
afterAll(() => cleanups.reverse().forEach((c) => c()));

describe('embedded PostgreSQL', () => {
  it('starts with DATA_DIR inside a mode-700 folder, answers queries, says where its files went, and stops', async () => {
    const privateDir = mkdtempSync(path.join(os.tmpdir(), 'dangjian-private-')); // mode 700
    cleanups.push(() => rmSync(privateDir, { recursive: true, force: true }));
    const dataDir = path.join(privateDir, 'data');
    const lines: { msg: string; instead?: string }[] = [];
    const log = pino({ level: 'info' }, { write: (l: string) => void lines.push(JSON.parse(l) as { msg: string; instead?: string }) });

    const db = await startEmbeddedPostgres(dataDir, log, await freePort());
    const moved = lines.find((l) => l.instead)?.instead;
    if (moved) cleanups.push(() => rmSync(moved, { recursive: true, force: true }));
    try {
      const client = new pg.Client({ connectionString: db.url.replace(/\/dangjian$/, '/postgres') });
      await client.connect();
      expect((await client.query('SELECT 1 + 1 AS two')).rows[0].two).toBe(2);
      await client.end();
      if (process.getuid?.() === 0) {
        // The server runs as `postgres`, which cannot enter the private folder: its files are in /var/lib.
        expect(moved).toMatch(/^\/var\/lib\/dangjian-bot\/pg-/);
        expect(existsSync(path.join(moved!, 'PG_VERSION'))).toBe(true);
      } else {
        expect(existsSync(path.join(dataDir, 'pg', 'PG_VERSION'))).toBe(true);
      }
      expect(existsSync(path.join(dataDir, 'bot.pid'))).toBe(true);
    } finally {
      await db.stop();
    }
    expect(existsSync(path.join(dataDir, 'bot.pid'))).toBe(false);
  }, 60_000);
});
