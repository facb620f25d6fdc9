// npm run db:migrate                          apply pending migrations (creates the database if missing)
// npm run db:new-migration -- <name> [--empty] write prisma/migrations/<UTC timestamp>_<name>/migration.sql
//
// DATABASE_URL (from the environment or .env) names the database; the default is the local test one.

import 'dotenv/config';
import { applyMigrations, ensureDatabase } from './migrate.js';
import { newMigration } from './new-migration.js';

const DEFAULT_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/test';

async function main(argv: string[]): Promise<void> {
  const databaseUrl = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
  const log = (message: string) => console.log(message);
  const [command, ...rest] = argv;

  if (command === 'deploy') {
    if (await ensureDatabase(databaseUrl)) log(`created database ${new URL(databaseUrl).pathname.slice(1)}`);
    await applyMigrations(databaseUrl, { log });
    return;
  }
  if (command === 'new') {
    const name = rest.find((arg) => !arg.startsWith('--'));
    if (!name) throw new Error('usage: db:new-migration -- <name> [--empty]');
    await newMigration({ databaseUrl, name, empty: rest.includes('--empty'), log });
    return;
  }
  throw new Error(`usage: migrate-cli.ts deploy | new <name> [--empty] (got ${JSON.stringify(command)})`);
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
