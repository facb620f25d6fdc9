import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../src/bot/commands/parse.js';

const aliases = new Map([
  ['help', 'help'],
  ['帮助', 'help'],
  ['duties', 'duties'],
  ['责任清单', 'duties'],
]);

describe('parseCommand', () => {
  it('reads English and Chinese names with a slash', () => {
    expect(parseCommand('/help', aliases, false)).toEqual({ kind: 'command', command: { name: 'help', args: '', typed: 'help' } });
    expect(parseCommand('/帮助', aliases, false)).toMatchObject({ kind: 'command', command: { name: 'help' } });
    expect(parseCommand('／责任清单 本季度', aliases, false)).toEqual({ kind: 'command', command: { name: 'duties', args: '本季度', typed: '责任清单' } });
    expect(parseCommand('/HELP', aliases, false)).toMatchObject({ kind: 'command', command: { name: 'help' } });
  });

  it('accepts a bare command word only where the bot is addressed', () => {
    expect(parseCommand('帮助', aliases, true)).toMatchObject({ kind: 'command', command: { name: 'help' } });
    expect(parseCommand('帮助', aliases, false)).toEqual({ kind: 'text', text: '帮助' });
  });

  it('tells an unknown command from chatter', () => {
    expect(parseCommand('/frobnicate now', aliases, true)).toEqual({ kind: 'unknown_command', typed: 'frobnicate' });
    expect(parseCommand('今天开会了吗', aliases, true)).toEqual({ kind: 'text', text: '今天开会了吗' });
    expect(parseCommand('/', aliases, true)).toEqual({ kind: 'unknown_command', typed: '' });
  });
});
