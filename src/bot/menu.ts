// The bot menu (飞书机器人菜单, 1:1 chats only): each entry configured in the developer console
// pushes `application.bot.menu_v6` with its event_key; the key names a command of the command
// table (or a text), run as if the user had typed it. README lists the entries to configure.

export interface MenuEntry {
  /** The event_key to set in the developer console. */
  key: string;
  /** The entry's name in the menu. */
  label: string;
  /** Who it is for (the README's table). */
  for: 'all' | 'od';
  /** The command run, with its arguments; or a message key of templates/messages. */
  command?: { name: string; args: string };
  message?: string;
}

export const MENU: readonly MenuEntry[] = [
  { key: 'todo', label: '我的待办', for: 'all', command: { name: 'todo', args: '' } },
  { key: 'report', label: '汇报', for: 'all', command: { name: 'report', args: '' } },
  { key: 'duties', label: '责任清单', for: 'all', command: { name: 'duties', args: '' } },
  { key: 'help', label: '帮助', for: 'all', command: { name: 'help', args: '' } },
  { key: 'stats', label: '统计', for: 'od', command: { name: 'stats', args: '全区' } },
  { key: 'notice', label: '通知', for: 'od', command: { name: 'notice', args: '' } },
  { key: 'import_help', label: '导入说明', for: 'od', message: 'import-help' },
];

export function menuEntry(eventKey: string): MenuEntry | undefined {
  return MENU.find((m) => m.key === eventKey);
}
