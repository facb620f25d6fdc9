/**
 * Lark has no slash commands: '/help', '／帮助', or '@bot 帮助' arrive as plain text. Mentions are
 * already stripped (IncomingMessage.commandText). Pure.
 */
export interface ParsedCommand {
  /** The canonical command name from the table. */
  name: string;
  /** Everything after the command word, trimmed. */
  args: string;
  /** The word the user typed, e.g. '帮助'. */
  typed: string;
}

export type ParseResult =
  | { kind: 'command'; command: ParsedCommand }
  | { kind: 'unknown_command'; typed: string }
  | { kind: 'text'; text: string };

/**
 * @param aliases map from every accepted name (lower-case, without '/') to the canonical name
 * @param bareWords whether a command word without '/' counts (direct chats and @bot in groups)
 */
export function parseCommand(commandText: string, aliases: ReadonlyMap<string, string>, bareWords: boolean): ParseResult {
  const text = commandText.trim();
  const slash = /^[/／]/.test(text);
  const body = slash ? text.slice(1).trimStart() : text;
  const m = /^(\S+)\s*([\s\S]*)$/.exec(body);
  if (!m) return slash ? { kind: 'unknown_command', typed: '' } : { kind: 'text', text };
  const typed = m[1]!;
  const name = aliases.get(typed.toLowerCase());
  if (name && (slash || bareWords)) return { kind: 'command', command: { name, args: m[2]!.trim(), typed } };
  if (slash) return { kind: 'unknown_command', typed };
  return { kind: 'text', text };
}
