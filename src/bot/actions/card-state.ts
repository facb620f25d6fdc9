// Cards that have been acted on. A single-use action (a choice, a form, 撤回…) claims its card in
// PostgreSQL before it runs: a second click — a double click, a stale card on another device —
// finds the claim and is told what was chosen, at intake as a toast (usedCardToast) or, when it
// raced past intake, as a reply. The action ends by replacing the card with what was chosen
// (finishCard), buttons gone. A refusal (bad form, not yours) releases the claim: the card stays
// usable.
import { card, colored, md } from '../../cards/card.js';
import type { Db } from '../../db/client.js';
import type { Deps } from '../../deps.js';

export type Claim = { ours: true } | { ours: false; outcome: string };

/** Claim the card for this click; a retry of the same click (same event) keeps its claim. */
export async function claimCard(db: Db, messageId: string, eventId: string, action: string): Promise<Claim> {
  const rows = await db.$queryRaw<{ eventId: string; outcome: string }[]>`
    INSERT INTO "CardUse" ("messageId", "eventId", "action") VALUES (${messageId}, ${eventId}, ${action})
    ON CONFLICT ("messageId") DO UPDATE SET "messageId" = EXCLUDED."messageId"
    RETURNING "eventId", "outcome"`;
  const row = rows[0]!;
  return row.eventId === eventId ? { ours: true } : { ours: false, outcome: row.outcome };
}

/** The click was refused (nothing happened): the card can be used again. */
export async function releaseCard(db: Db, messageId: string, eventId: string): Promise<void> {
  await db.cardUse.deleteMany({ where: { messageId, eventId } });
}

/** Record what the card was used for (if the action did not say: 已处理). */
export async function recordOutcome(db: Db, messageId: string, outcome: string, onlyIfEmpty = false): Promise<void> {
  await db.cardUse.updateMany({ where: { messageId, ...(onlyIfEmpty ? { outcome: '' } : {}) }, data: { outcome } });
}

/** Why a click on a used card does nothing, in one line. */
export function usedCardText(outcome: string): string {
  return outcome ? `这张卡片已经处理过（${outcome}），不会重复处理。` : '这张卡片的上一次点击正在处理，请稍候查看结果。';
}

/** At intake: the toast for a click on a card already used, or null when the card is live. One indexed read. */
export async function usedCardToast(db: Db, messageId: string): Promise<Record<string, unknown> | null> {
  if (!messageId) return null;
  const row = await db.cardUse.findUnique({ where: { messageId }, select: { outcome: true } });
  return row ? { toast: { type: 'info', content: usedCardText(row.outcome) } } : null;
}

/** A card after use: what was chosen, no buttons. */
export function usedCard(title: string, body: string, note?: string, template = 'grey'): Record<string, unknown> {
  return card({ title, template, elements: [md(body), ...(note ? [md(colored('grey', note))] : [])] });
}

/** Replace the clicked card (or leave it, when there is no replacement) and record the outcome. */
export async function finishCard(deps: Deps, messageId: string | undefined, outcome: string, replacement?: Record<string, unknown>): Promise<void> {
  if (!messageId) return;
  await recordOutcome(deps.db, messageId, outcome);
  if (replacement) await deps.messenger.patchCard(messageId, replacement);
}
