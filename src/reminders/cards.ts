// The reminder cards (templates/cards/reminder-*.json, od-digest*.json). Pure apart from reading
// the template files.
import { esc } from '../cards/card.js';
import { cardTemplate, cardText } from '../cards/template.js';
import { beijingDay, type WorkingCalendar } from '../domain/calendar/working-days.js';
import type { Catalog } from '../domain/duties/catalog.js';
import { dueDayOf } from '../domain/duties/reminder-plan.js';
import { stageKind, type UnitOverdue } from '../domain/reminders/schedule.js';
import { dayZh, describeObligation, type ObligationView } from '../obligations/describe.js';

const TEXTS = 'reminder-texts';
const t = (key: string, vars: Record<string, string | number> = {}) => cardText(TEXTS, key, vars);

/** Lark refuses cards above 30 KB; stay below with room for the envelope. */
export const MAX_CARD_BYTES = 28_000;
/** JSON 2.0 allows 200 elements; four per duty keeps well below. */
export const MAX_ITEMS = 30;

export interface DigestItem {
  obligation: ObligationView & { id: number };
  stage: string;
  /** owner: the recipient owes it (or answers for the unit); organiser: organises the unit's duty; escalate: someone else's, late */
  relation: 'owner' | 'organiser' | 'escalate';
  /** The person who answers for it (for organiser and escalate notes), if any. */
  ownerName: string | null;
  /** For a unit duty the recipient answers for: who organises it. */
  organiserNames: string[];
}

export interface DigestCard {
  card: unknown;
  /** How many items the card lists (the rest are summed up in one line). */
  shown: number;
}

/** One card for one person and day, listing every duty the reminders of that day are about. */
export function reminderDigestCard(o: {
  recipientName: string;
  items: readonly DigestItem[];
  now: Date;
  catalog: Catalog;
  cal: WorkingCalendar;
  contact: string;
}): DigestCard {
  const kinds = new Set(o.items.map((i) => stageKind(i.stage)));
  const level = kinds.has('escalate') ? 'escalate' : kinds.has('overdue') ? 'overdue' : 'before';
  const color = { escalate: 'red', overdue: 'orange', before: 'blue' }[level];
  const allEscalated = o.items.every((i) => i.relation === 'escalate');

  const render = (shown: number): unknown => {
    const blocks = o.items.slice(0, shown).flatMap((item, i) => itemElements(item, i + 1, o));
    const rest = o.items.length - shown;
    const footer = t(allEscalated ? 'footer.escalate' : 'footer.own', { contact: o.contact }) + (rest > 0 ? t('more', { n: rest }) : '');
    return cardTemplate(
      'reminder-digest',
      {
        title: t(`title.${level}`),
        date: dayZh(beijingDay(o.now)),
        count: o.items.length,
        color,
        name: esc(o.recipientName),
        intro: t(allEscalated ? 'intro.escalate' : 'intro.own'),
        footer,
      },
      { items: blocks },
    );
  };

  let shown = Math.min(o.items.length, MAX_ITEMS);
  let card = render(shown);
  while (shown > 1 && Buffer.byteLength(JSON.stringify(card)) > MAX_CARD_BYTES) {
    shown = Math.max(1, Math.floor(shown * 0.75));
    card = render(shown);
  }
  return { card, shown };
}

function itemElements(item: DigestItem, no: number, o: { now: Date; catalog: Catalog; cal: WorkingCalendar }): unknown[] {
  const ob = item.obligation;
  const d = describeObligation(ob, o.now, o.catalog, o.cal);
  let note = '';
  if (item.relation === 'organiser') note = t('note.organiser', { owner: esc(item.ownerName ?? t('od.noOwner')) });
  else if (item.relation === 'escalate') note = t('note.escalate', { owner: esc(item.ownerName ?? t('od.noOwner')) });
  else if (item.organiserNames.length) {
    note = t('note.unitOwner', { organisers: t('note.organisers', { names: esc(item.organiserNames.join('、')) }) });
  }
  if (d.overdue && item.relation !== 'escalate') note += t('note.overdue');
  const vars = {
    no,
    title: esc(ob.title),
    due: d.due,
    state: d.state,
    progress: d.progress ? `　${d.progress}` : '',
    note,
    basis: esc(d.basis),
    obligationId: ob.id,
  };
  return cardTemplate(item.relation === 'escalate' ? 'reminder-item-escalated' : 'reminder-item', vars) as unknown[];
}

/** The organisation department's daily card: what is overdue, per unit. */
export function odDigestCard(o: {
  recipientName: string;
  units: readonly UnitOverdue[];
  now: Date;
  maxUnits?: number;
  /** Rectification reports awaiting the OD's acceptance. */
  pendingReview?: number;
  /** Lines that need the OD's attention first (a missing holiday schedule). */
  alerts?: readonly string[];
}): DigestCard {
  const total = o.units.reduce((n, u) => n + u.count, 0);
  const render = (shown: number): unknown => {
    const blocks = o.units.slice(0, shown).flatMap((u, i) => {
      const lines = u.examples.map((e) =>
        t('od.example', { title: esc(e.title), owner: esc(e.ownerName ?? t('od.noOwner')), due: shortDay(dueDayOf(e.dueAt)), days: e.days }),
      );
      if (u.count > u.examples.length) lines.push(t('od.more', { n: u.count }));
      return cardTemplate('od-digest-unit', { no: i + 1, unit: esc(u.unitName), count: u.count, maxDays: u.maxDays, examples: lines.join('\n') }) as unknown[];
    });
    const rest = o.units.length - shown;
    return cardTemplate(
      'od-digest',
      {
        date: dayZh(beijingDay(o.now)),
        units: o.units.length,
        total,
        intro: [...(o.alerts ?? []).map((a) => `**${esc(a)}**`), t(o.units.length ? 'od.intro' : 'od.introNone', { name: esc(o.recipientName) })].join('\n'),
        footer: [
          ...(rest > 0 ? [t('od.moreUnits', { n: rest })] : []),
          ...(o.pendingReview ? [t('od.pendingReview', { n: o.pendingReview })] : []),
          t('od.footer'),
        ].join('\n'),
      },
      { units: blocks },
    );
  };
  let shown = Math.min(o.units.length, o.maxUnits ?? 40);
  let card = render(shown);
  while (shown > 1 && Buffer.byteLength(JSON.stringify(card)) > MAX_CARD_BYTES) {
    shown = Math.max(1, Math.floor(shown * 0.75));
    card = render(shown);
  }
  return { card, shown };
}

/** '11月30日' */
function shortDay(day: string): string {
  const [, m, d] = day.split('-').map(Number) as [number, number, number];
  return `${m}月${d}日`;
}
