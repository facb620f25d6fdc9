/** Small builders for Lark card JSON 2.0 (schema '2.0', update_multi, callback behaviors). */

export type Element = Record<string, unknown>;

export interface CardSpec {
  title: string;
  subtitle?: string;
  /**
   * Header colour, by meaning: green all done, blue informational (the default), orange due soon or
   * needing action, red overdue or escalated; grey for a card that is finished with.
   */
  template?: string;
  elements: Element[];
}

export function card(spec: CardSpec): Record<string, unknown> {
  return {
    schema: '2.0',
    config: { update_multi: true, width_mode: 'fill' },
    header: {
      title: { tag: 'plain_text', content: spec.title },
      ...(spec.subtitle ? { subtitle: { tag: 'plain_text', content: spec.subtitle } } : {}),
      template: spec.template ?? 'blue',
    },
    body: { elements: spec.elements },
  };
}

export function md(content: string): Element {
  return { tag: 'markdown', content };
}

export function hr(): Element {
  return { tag: 'hr' };
}

export function button(text: string, value: Record<string, unknown>, type: 'primary' | 'default' | 'danger' = 'default'): Element {
  return { tag: 'button', text: { tag: 'plain_text', content: text }, type, behaviors: [{ type: 'callback', value }] };
}

export function buttons(...items: Element[]): Element {
  return {
    tag: 'column_set',
    flex_mode: 'flow',
    columns: items.map((b) => ({ tag: 'column', width: 'auto', elements: [b] })),
  };
}

/** Escape text that goes inside a markdown element. */
export function esc(s: string): string {
  return s.replace(/([*_~`[\]<>])/g, '\\$1');
}

/**
 * Coloured text for a markdown element, safe for text of several lines: Lark's `<font>` does not
 * span a line break (the tags would show literally), so each line gets its own.
 */
export function colored(color: string, text: string): string {
  return text
    .split(/\r?\n/)
    .filter((line) => line.trim() !== '')
    .map((line) => `<font color='${color}'>${esc(line)}</font>`)
    .join('\n');
}
