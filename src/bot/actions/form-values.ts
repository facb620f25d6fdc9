import type { EvidenceField } from '../../domain/duties/catalog.js';

export interface FormResult {
  values: Record<string, unknown>;
  problems: string[];
}

/**
 * A submitted card form (form_value keyed by component name) as the duty's evidence fields. Pure.
 * Dates come as '2026-11-20 +0800'; selects as the option value; inputs as text.
 */
export function formToFields(fields: EvidenceField[], form: Record<string, unknown>, orgs: { id: number; name: string }[]): FormResult {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const f of fields) {
    const raw = form[f.key];
    const text = typeof raw === 'string' ? raw.trim() : Array.isArray(raw) ? String(raw[0] ?? '').trim() : '';
    if (f.type === 'attachment') continue;
    if (text === '') {
      if (f.required) problems.push(`请填写${f.label}`);
      continue;
    }
    switch (f.type) {
      case 'date': {
        const day = /^(\d{4}-\d{2}-\d{2})/.exec(text)?.[1];
        if (day) values[f.key] = day;
        else problems.push(`${f.label}应为日期，例如 2026-11-20`);
        break;
      }
      case 'number': {
        const n = Number(text);
        if (Number.isFinite(n) && n >= 0) values[f.key] = n;
        else problems.push(`${f.label}应为数字`);
        break;
      }
      case 'orgRef': {
        const org = orgs.find((o) => String(o.id) === text) ?? orgs.find((o) => o.name === text);
        values[f.key] = org ? { id: org.id, name: org.name } : { id: null, name: text };
        break;
      }
      default:
        values[f.key] = text;
    }
  }
  return { values, problems };
}
