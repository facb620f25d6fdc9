import type { Config } from './config.js';
import type { Db } from './db/client.js';
import type { LiveCalendar } from './calendar/store.js';
import type { CatalogStore } from './domain/duties/catalog.js';
import type { JobQueue } from './jobs/queue.js';
import type { LarkClient } from './lark/client.js';
import type { Messenger } from './lark/messenger.js';
import type { Logger } from './logger.js';

/** Everything a handler or job may use, built once in main.ts (or a test) and passed down. */
export interface Deps {
  readonly config: Config;
  readonly db: Db;
  readonly lark: LarkClient;
  readonly messenger: Messenger;
  readonly queue: JobQueue;
  readonly log: Logger;
  /** The one place real time enters; domain code takes `now` as a parameter. */
  readonly clock: () => Date;
  /** The duty catalog (config/duty-catalog.json), reloaded when the file changes and is valid. */
  readonly catalog: CatalogStore;
  /** China's working-day calendar (chinese-days + config/calendar-overrides.json + the OD's entries in PostgreSQL, refreshed). */
  readonly calendar: LiveCalendar;
  /** The bot's own open_id (from /open-apis/bot/v3/info), to recognise @bot and its own messages. */
  readonly botOpenId: string;
}
