import { readFileSync } from 'node:fs';
import { projectPath } from '../paths.js';

/**
 * Chinese message texts live in templates/messages/zh-CN/<key>.md with {{var}} placeholders.
 * A missing variable is a bug, so it throws instead of sending a half-filled message.
 */
const ROOT = projectPath('templates') + '/';
const cache = new Map<string, string>();

export function templatePath(rel: string): string {
  return ROOT + rel;
}

function load(rel: string): string {
  let t = cache.get(rel);
  if (t === undefined) {
    t = readFileSync(ROOT + rel, 'utf8');
    cache.set(rel, t);
  }
  return t;
}

export function fill(template: string, vars: Record<string, string | number>, where = 'template'): string {
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, name: string) => {
    const v = vars[name];
    if (v === undefined) throw new Error(`${where}: missing variable {{${name}}}`);
    return String(v);
  });
}

/** The text of message `key`, filled. */
export function message(key: string, vars: Record<string, string | number> = {}): string {
  return fill(load(`messages/zh-CN/${key}.md`), vars, `messages/zh-CN/${key}.md`).trim();
}
