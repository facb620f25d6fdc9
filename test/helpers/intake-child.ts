// The bot's intake alone in a process of its own, so a test can SIGKILL it right after it acknowledged
// events: `node --import tsx test/helpers/intake-child.ts`. Env: the bot's (sandboxBotEnv) plus QUEUE.
// Webhook intake and HTTP only: no worker, no schedulers. Prints one JSON line { port } when listening.
import { startApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';

const config = loadConfig({ ...process.env, PORT: '0' });
const app = await startApp({ config, databaseUrl: config.databaseUrl!, log: silentLogger, queueName: process.env.QUEUE, worker: false, schedulers: false, reminderCron: false });
process.stdout.write(JSON.stringify({ port: app.port }) + '\n');
