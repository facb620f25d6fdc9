import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { menuEntry } from '../../src/bot/menu.js';
import { normalizeEnvelope } from '../../src/bot/normalize.js';

describe('application.bot.menu_v6', () => {
  it('normalises Lark\'s sample to the operator and the event_key', () => {
    const raw = JSON.parse(readFileSync(new URL('../fixtures/lark/application.bot.menu_v6.json', import.meta.url), 'utf8'));
    const n = normalizeEnvelope(raw);
    expect(n.event).toEqual({ kind: 'menu', operatorOpenId: 'ou_84aad35d084aa403a838cf73ee18467', eventKey: 'menu2022********67dfc8b885136' });
    expect(n.dedupeKey).toBe('evt:5e3702a84e847582be8db7fb73283c02');
    expect(menuEntry('todo')?.command).toEqual({ name: 'todo', args: '' });
    expect(menuEntry('menu2022********67dfc8b885136')).toBeUndefined();
  });
});
