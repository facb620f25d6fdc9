import { readFileSync } from 'node:fs';
import { fill, templatePath } from '../templates/render.js';

/**
 * Cards kept as JSON files in templates/cards/<name>.json (Lark card JSON 2.0, or an array of
 * elements), filled here. In every string value {{var}} is replaced; a string that is only {{var}}
 * takes the variable's type (numbers stay numbers, e.g. in button values). An array entry
 * "{{@list}}" is replaced by the elements of `lists.list` (repeated parts such as one block per
 * duty). A missing variable or list throws: a half-filled card is a bug.
 */
const cache = new Map<string, unknown>();

function load(name: string): unknown {
  let t = cache.get(name);
  if (t === undefined) {
    t = JSON.parse(readFileSync(templatePath(`cards/${name}.json`), 'utf8')) as unknown;
    cache.set(name, t);
  }
  return t;
}

export type CardVars = Record<string, string | number>;

export function fillCard(template: unknown, vars: CardVars, lists: Record<string, readonly unknown[]> = {}, where = 'card template'): unknown {
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') {
      const whole = /^\{\{\s*(\w+)\s*\}\}$/.exec(v);
      if (whole && typeof vars[whole[1]!] === 'number') return vars[whole[1]!];
      return fill(v, vars, where);
    }
    if (Array.isArray(v)) {
      const out: unknown[] = [];
      for (const item of v) {
        const list = typeof item === 'string' ? /^\{\{@(\w+)\}\}$/.exec(item) : null;
        if (list) {
          const items = lists[list[1]!];
          if (!items) throw new Error(`${where}: missing list {{@${list[1]}}}`);
          out.push(...items);
        } else out.push(walk(item));
      }
      return out;
    }
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(template);
}

/** templates/cards/<name>.json, filled. */
export function cardTemplate(name: string, vars: CardVars, lists: Record<string, readonly unknown[]> = {}): unknown {
  return fillCard(load(name), vars, lists, `templates/cards/${name}.json`);
}

/** A text from a phrase file templates/cards/<file>.json ({ "key": "text with {{var}}" }), filled. */
export function cardText(file: string, key: string, vars: CardVars = {}): string {
  const texts = load(file) as Record<string, unknown>;
  const t = texts[key];
  if (typeof t !== 'string') throw new Error(`templates/cards/${file}.json: no text "${key}"`);
  return fill(t, vars, `templates/cards/${file}.json#${key}`);
}
