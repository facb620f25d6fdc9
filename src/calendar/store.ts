// The working-day calendar every process uses: the package and the override file (read at start),
// with the schedules OD staff entered in chat (CalendarSchedule rows in PostgreSQL) on top. Every
// replica refreshes it from the database (startDomainSync), so an entry takes effect everywhere
// without a restart.
import type { Db } from '../db/client.js';
import { withSchedules, type CalendarSource, type WorkingCalendar, type YearSchedule } from '../domain/calendar/working-days.js';

export type StoredSchedule = YearSchedule & { source: CalendarSource };

/** A WorkingCalendar whose contents follow the database; pass it wherever a WorkingCalendar goes. */
export class LiveCalendar implements WorkingCalendar {
  #base: WorkingCalendar;
  #current: WorkingCalendar;
  #lastId = 0;

  constructor(base: WorkingCalendar) {
    this.#base = base;
    this.#current = base;
  }

  get holidays() {
    return this.#current.holidays;
  }
  get workdays() {
    return this.#current.workdays;
  }
  get knownYears() {
    return this.#current.knownYears;
  }
  get sources() {
    return this.#current.sources;
  }
  get names() {
    return this.#current.names;
  }
  /** The calendar as it is now (a plain value that will not change under the caller). */
  get snapshot(): WorkingCalendar {
    return this.#current;
  }
  /** The package and file layers alone. */
  get base(): WorkingCalendar {
    return this.#base;
  }

  /** Reads the OD's entries; rebuilds only when a new one arrived. Returns whether it changed. */
  async refresh(db: Pick<Db, 'calendarSchedule'>): Promise<boolean> {
    const latest = await db.calendarSchedule.findFirst({ orderBy: { id: 'desc' }, select: { id: true } });
    if (!latest || latest.id === this.#lastId) return false;
    const rows = await db.calendarSchedule.findMany({ orderBy: { id: 'asc' } });
    this.#current = withSchedules(this.#base, rows.map(storedSchedule));
    this.#lastId = latest.id;
    return true;
  }
}

export function storedSchedule(r: { id: number; year: number; holidays: unknown; workdays: string[]; enteredBy: string; createdAt: Date }): StoredSchedule {
  return {
    year: r.year,
    holidays: r.holidays as YearSchedule['holidays'],
    workdays: r.workdays,
    source: { kind: 'od', by: r.enteredBy, at: r.createdAt, version: r.id },
  };
}
