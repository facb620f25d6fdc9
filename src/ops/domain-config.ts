import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import { LiveCalendar } from '../calendar/store.js';
import { readCalendarFile } from '../domain/calendar/working-days.js';
import { CatalogStore, loadCatalog } from '../domain/duties/catalog.js';
import { catalogFromDatabase, refreshCatalog } from '../catalog/changes.js';
import type { Db } from '../db/client.js';
import type { Logger } from '../logger.js';
import { projectPath } from '../paths.js';

export const CATALOG_FILE = projectPath('config', 'duty-catalog.json');
export const CALENDAR_FILE = projectPath('config', 'calendar-overrides.json');
export const POLICY_FILE = projectPath('policy', 'shunde-2015-26-party-building-responsibility.txt');

export function policyText(): string {
  return readFileSync(POLICY_FILE, 'utf8');
}

/** The duty catalog and the working-day calendar, read and validated once at start. */
export function loadDomainConfig(): { catalog: CatalogStore; calendar: LiveCalendar } {
  const options = { source: 'duty-catalog.json', policyText: policyText() };
  const catalog = new CatalogStore(loadCatalog(readFileSync(CATALOG_FILE, 'utf8'), options), options);
  return { catalog, calendar: new LiveCalendar(readCalendarFile(CALENDAR_FILE)) };
}

/**
 * The OD edits config/duty-catalog.json; a valid edit takes effect at once, a mistake is logged with
 * its line and field and the running catalog is kept.
 */
export function watchCatalog(store: CatalogStore, log: Logger): () => void {
  const onChange = () => {
    if (catalogFromDatabase(store)) {
      log.warn('config/duty-catalog.json changed, but OD staff changed the catalog in chat: the version in the database stays in force');
      return;
    }
    let text: string;
    try {
      text = readFileSync(CATALOG_FILE, 'utf8');
    } catch (err) {
      log.error({ err }, 'duty catalog unreadable; keeping the running one');
      return;
    }
    const r = store.reload(text);
    if (r.ok) log.info({ rules: r.catalog.rules.length }, 'duty catalog reloaded');
    else log.error({ error: r.error.message }, 'duty catalog edit refused; keeping the running one');
  };
  watchFile(CATALOG_FILE, { interval: 2000 }, onChange);
  return () => unwatchFile(CATALOG_FILE, onChange);
}

/**
 * What OD staff changed from chat lives in PostgreSQL; every process reads it at start and then
 * every `intervalMs`, so a change made through one replica reaches the others without a restart.
 */
export async function startDomainSync(deps: { db: Db; calendar: LiveCalendar; catalog: CatalogStore; log: Logger }, intervalMs: number): Promise<() => void> {
  const sync = async () => {
    if (await refreshCatalog(deps)) deps.log.info({ rules: deps.catalog.current.rules.length }, 'duty catalog refreshed from the database');
    if (await deps.calendar.refresh(deps.db)) deps.log.info({ years: [...deps.calendar.sources].filter(([, s]) => s.kind === 'od').map(([y]) => y) }, 'working-day calendar refreshed');
  };
  await sync();
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    sync()
      .catch((err) => deps.log.warn({ err }, 'domain configuration refresh failed; keeping the running one'))
      .finally(() => (running = false));
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
