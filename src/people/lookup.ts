import type { Deps } from '../deps.js';
import { AppError } from '../errors.js';
import { message } from '../templates/render.js';

/** The active roster person behind a Lark user, or a polite refusal naming whom to contact. */
export async function requirePerson(deps: Deps, openId: string) {
  const person = await deps.db.person.findFirst({ where: { larkOpenId: openId, active: true }, include: { unit: true } });
  if (!person) throw new AppError('not_in_roster', message('not-in-roster', { contact: deps.config.odContact }));
  return person;
}
