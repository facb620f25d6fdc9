// The duty catalog: the eleven duties of the responsibility system as data (config/duty-catalog.json),
// which the organisation department may edit. Loading validates the whole file; a mistake is refused
// with the line and field ("duty-catalog.json 第 42 行: rules[3].recurrence.count 应为正整数") and the
// running catalog is kept (CatalogStore). Pure except `readCatalogFile`.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { z } from 'zod';
import { AppError } from '../../errors.js';
import type { Role } from '../../generated/prisma/enums.js';
import { parseJsonConfig } from '../json-config.js';
import type { PeriodKind } from './periods.js';

export type LeaderRole = Extract<Role, 'SECRETARY' | 'DEPUTY' | 'MEMBER' | 'STAFF'>;

export type EvidenceType = 'date' | 'text' | 'number' | 'orgRef' | 'choice' | 'attachment';

export interface EvidenceField {
  /** Key in Report.fields */
  key: string;
  /** Chinese label shown to the user */
  label: string;
  /** date: a day; orgRef: a grassroots org (liaison point); choice: one of `options`; attachment: image or file */
  type: EvidenceType;
  required: boolean;
  options?: string[];
}

export interface Clause {
  /** e.g. '四(二)1': section 四, list (二), item 1 of the policy text */
  ref: string;
  /** The words of the policy this rests on, quoted exactly (the 依据 shown to users) */
  quote: string;
}

export interface ReminderPolicy {
  /** Remind this many working days before the due day, e.g. [5, 1]; 0 is the due day itself */
  beforeWorkingDays: number[];
  /** The overdue notice goes out this many working days after the due day (1 = the first working day after) */
  overdueAfterDays: number;
  /** Escalate to the person above this many working days after the due day */
  escalateAfterWorkingDays: number;
}

export type Recurrence = { kind: PeriodKind; count: number } | { kind: 'set' };

export interface DutyRule {
  code: string;
  /** Number of the duty in DOMAIN.md (1–11) */
  no: number;
  /** Chinese name, used in obligation titles */
  name: string;
  /** person: each holder of `ownerRoles` owes it; unit: the unit owes it, `accountableRole` answers for it */
  owner: 'person' | 'unit';
  ownerRoles: LeaderRole[];
  accountableRole: LeaderRole | null;
  /** Who organises a unit duty (reminded too), e.g. STAFF */
  organiserRole: LeaderRole | null;
  /** `count` is the least number of reports in each period; 'set': someone sets each deadline */
  recurrence: Recurrence;
  /** Calendar duties: due at the period's end, or (yearly) on a fixed 'MM-DD' of the period's year */
  due: 'period_end' | string;
  /**
   * Yearly duties held in a window the OD sets, e.g. the debrief { from: '12-01', to: '01-31' }: the
   * obligation starts on `from` of the year and is due at the end of `to` (of the next year if `to` < `from`).
   */
  window: { from: string; to: string } | null;
  reminders: ReminderPolicy;
  /**
   * Who closes it: 'reporter' (default) — the report completes it; 'od' — a report submits it and OD
   * staff accept it on the evidence or return it (inspection rectifications, 五(三)).
   */
  closedBy: 'reporter' | 'od';
  /**
   * 'weakOrg': owed per open weak-org rectification record (not by every unit), once per recurrence
   * period, until the OD lifts the mark. null: owed as the owner/recurrence say.
   */
  subject: 'weakOrg' | null;
  evidence: EvidenceField[];
  clause: Clause;
  seeAlso: Clause[];
  note?: string;
}

export interface Catalog {
  source: string;
  rules: DutyRule[];
}

// ---------------------------------------------------------------- schema

const role = z.enum(['SECRETARY', 'DEPUTY', 'MEMBER', 'STAFF'], { error: '应为 SECRETARY、DEPUTY、MEMBER 或 STAFF' });
const positiveInt = z.int({ error: '应为正整数' }).min(1, { error: '应为正整数' });
const workingDays = z.int({ error: '应为正整数（工作日数）' }).min(1, { error: '应为正整数（工作日数）' }).max(250, { error: '应不大于 250' });
const monthDay = z
  .string({ error: '应为月-日，如 "03-31"' })
  .refine((s) => isMonthDay(s), { error: '应为有效的月-日，如 "03-31"' });
const text = z.string().trim().min(1, { error: '不能为空' });

function isMonthDay(s: string): boolean {
  const m = /^(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const month = Number(m[1]);
  const day = Number(m[2]);
  // 2024 is a leap year, so 02-29 is allowed (it falls on 02-28 in other years).
  return month >= 1 && month <= 12 && day >= 1 && day <= new Date(Date.UTC(2024, month, 0)).getUTCDate();
}

const reminderPolicy = z.strictObject({
  // 0 means on the due day itself (the last working day on or before it).
  beforeWorkingDays: z.array(
    z.int({ error: '应为 0 或正整数（工作日数）' }).min(0, { error: '应为 0 或正整数（工作日数）' }).max(250, { error: '应不大于 250' }),
  ),
  overdueAfterDays: workingDays,
  escalateAfterWorkingDays: workingDays,
});

const clause = z.strictObject({
  ref: text,
  quote: text.max(200, { error: '引文过长（最多 200 字），请只引用所依据的原话' }),
});

const evidenceField = z
  .strictObject({
    key: z.string().regex(/^[a-z][A-Za-z0-9]*$/, { error: '应为英文字母开头的字段名，如 "visitDate"' }),
    label: text,
    type: z.enum(['date', 'text', 'number', 'orgRef', 'choice', 'attachment'], {
      error: '应为 date、text、number、orgRef、choice 或 attachment',
    }),
    required: z.boolean().default(true),
    options: z.array(text).min(2, { error: '至少应有 2 个选项' }).optional(),
  })
  .superRefine((f, ctx) => {
    if (f.type === 'choice' && !f.options) ctx.addIssue({ code: 'custom', path: ['options'], message: 'choice 类型须列出 options' });
    if (f.type !== 'choice' && f.options) ctx.addIssue({ code: 'custom', path: ['options'], message: '只有 choice 类型才有 options' });
  });

const recurrence = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({ kind: z.enum(['month', 'quarter', 'half', 'year']), count: positiveInt }),
    z.strictObject({ kind: z.literal('set') }),
  ],
  { error: '应为 month、quarter、half、year 或 set' },
);

const ruleSchema = z
  .strictObject({
    code: z.string().regex(/^[A-Z][A-Z0-9_]*$/, { error: '应为大写英文字母、数字和下划线，如 "LIAISON_VISIT_SECRETARY"' }),
    no: positiveInt,
    name: text,
    owner: z.enum(['person', 'unit'], { error: '应为 "person" 或 "unit"' }),
    ownerRoles: z.array(role).min(1, { error: '至少应有 1 个角色' }).optional(),
    accountableRole: role.optional(),
    organiserRole: role.optional(),
    recurrence,
    due: z.union([z.literal('period_end'), monthDay], { error: '应为 "period_end" 或月-日，如 "03-31"' }).optional(),
    window: z.strictObject({ from: monthDay, to: monthDay }).optional(),
    reminders: reminderPolicy.partial().optional(),
    closedBy: z.enum(['reporter', 'od'], { error: '应为 "reporter"（报告即完成）或 "od"（组织部验收后完成）' }).optional(),
    subject: z.literal('weakOrg', { error: '应为 "weakOrg"（按软弱涣散党组织整顿记录）' }).optional(),
    evidence: z.array(evidenceField).min(1, { error: '至少应有 1 项' }),
    clause,
    seeAlso: z.array(clause).default([]),
    note: z.string().optional(),
  })
  .superRefine((r, ctx) => {
    const issue = (path: string, message: string): void => ctx.addIssue({ code: 'custom', path: [path], message });
    if (r.owner === 'person') {
      if (!r.ownerRoles) issue('ownerRoles', '个人责任须列出 ownerRoles');
      if (r.accountableRole) issue('accountableRole', '只有单位责任（owner: "unit"）才有 accountableRole');
      if (r.organiserRole) issue('organiserRole', '只有单位责任（owner: "unit"）才有 organiserRole');
    } else {
      if (!r.accountableRole) issue('accountableRole', '单位责任须指定 accountableRole（通常为 SECRETARY）');
      if (r.ownerRoles) issue('ownerRoles', '单位责任不列 ownerRoles，请用 accountableRole');
    }
    if (r.recurrence.kind === 'set') {
      if (r.due) issue('due', '截止时间由设定者给出的责任（recurrence.kind 为 set）不设 due');
      if (r.window) issue('window', '截止时间由设定者给出的责任（recurrence.kind 为 set）不设 window');
    } else if (r.recurrence.kind !== 'year') {
      if (r.due && r.due !== 'period_end') issue('due', '固定日期只适用于每年一次的责任（recurrence.kind 为 year）');
      if (r.window) issue('window', 'window 只适用于每年一次的责任（recurrence.kind 为 year）');
    }
    if (r.due && r.window) issue('window', 'due 和 window 只能设其一');
    if (r.subject) {
      if (r.owner !== 'unit') issue('subject', '按整顿记录的责任须为单位责任（owner: "unit"）');
      if (r.recurrence.kind === 'set' || r.recurrence.kind === 'year') issue('subject', '按整顿记录的责任须按月、季度或半年报告（recurrence.kind 为 month、quarter 或 half）');
    }
    const keys = new Set<string>();
    r.evidence.forEach((f, i) => {
      if (keys.has(f.key)) ctx.addIssue({ code: 'custom', path: ['evidence', i, 'key'], message: `字段名 "${f.key}" 重复` });
      keys.add(f.key);
    });
  });

const reminderDefaults = z.strictObject({
  month: reminderPolicy,
  quarter: reminderPolicy,
  half: reminderPolicy,
  year: reminderPolicy,
  set: reminderPolicy,
});

const catalogSchema = z
  .strictObject({
    _comment: z.string().optional(),
    version: z.literal(1, { error: '应为 1' }),
    reminderDefaults,
    rules: z.array(ruleSchema).min(1, { error: '至少应有 1 条' }),
  })
  .superRefine((c, ctx) => {
    const seen = new Map<string, number>();
    c.rules.forEach((r, i) => {
      const first = seen.get(r.code);
      if (first !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['rules', i, 'code'], message: `与 rules[${first}] 重复` });
      } else seen.set(r.code, i);
    });
  });

// ---------------------------------------------------------------- loading

export interface LoadCatalogOptions {
  /** File name shown in error messages */
  source?: string;
  /** When given, every clause quote must appear in it word for word */
  policyText?: string;
}

/** Parses and validates the catalog JSON text. Throws AppError('config_invalid') naming line and field. */
export function loadCatalog(jsonText: string, options: LoadCatalogOptions = {}): Catalog {
  const source = options.source ?? 'duty-catalog.json';
  const file = parseJsonConfig(jsonText, catalogSchema, source);
  if (options.policyText !== undefined) checkQuotes(jsonText, file, source, options.policyText);
  const rules = file.rules.map((r): DutyRule => {
    const defaults = file.reminderDefaults[r.recurrence.kind];
    return {
      code: r.code,
      no: r.no,
      name: r.name,
      owner: r.owner,
      ownerRoles: r.ownerRoles ?? [],
      accountableRole: r.accountableRole ?? null,
      organiserRole: r.organiserRole ?? null,
      recurrence: r.recurrence,
      due: r.due ?? 'period_end',
      window: r.window ?? null,
      reminders: { ...defaults, ...r.reminders },
      closedBy: r.closedBy ?? 'reporter',
      subject: r.subject ?? null,
      evidence: r.evidence,
      clause: r.clause,
      seeAlso: r.seeAlso,
      ...(r.note !== undefined ? { note: r.note } : {}),
    };
  });
  return { source, rules };
}

function checkQuotes(jsonText: string, file: z.output<typeof catalogSchema>, source: string, policyText: string): void {
  // Re-run through the JSON validator so the error carries the line of the bad quote.
  const missing = (q: string): boolean => !policyText.includes(q);
  const quoteCheck = z.object({
    rules: z.array(
      z.object({
        clause: z.object({ quote: z.string().refine((q) => !missing(q), { error: '引文在政策原文中找不到（须逐字引用）' }) }),
        seeAlso: z
          .array(z.object({ quote: z.string().refine((q) => !missing(q), { error: '引文在政策原文中找不到（须逐字引用）' }) }))
          .optional(),
      }),
    ),
  });
  if (file.rules.some((r) => missing(r.clause.quote) || r.seeAlso.some((c) => missing(c.quote)))) {
    parseJsonConfig(jsonText, quoteCheck, source);
  }
}

/** Reads and loads the catalog file (I/O). */
export function readCatalogFile(path: string, options: Omit<LoadCatalogOptions, 'source'> = {}): Catalog {
  return loadCatalog(readFileSync(path, 'utf8'), { ...options, source: basename(path) });
}

export function findRule(catalog: Catalog, code: string): DutyRule | undefined {
  return catalog.rules.find((r) => r.code === code);
}

export function getRule(catalog: Catalog, code: string): DutyRule {
  const rule = findRule(catalog, code);
  if (!rule) throw new AppError('not_found', `责任目录中没有 ${code}`);
  return rule;
}

/** "依据：《意见》四(二)1：“…”" — the basis shown to users. */
export function citation(rule: DutyRule): string {
  return `依据：《关于进一步从严治党落实基层党建工作责任制的意见》${rule.clause.ref}：“${rule.clause.quote}”`;
}

/**
 * Holds the running catalog. `reload` swaps in a new one only if it is valid; on a mistake it keeps
 * the old catalog and returns the error for the editor to see.
 */
export class CatalogStore {
  #current: Catalog;

  constructor(
    initial: Catalog,
    private readonly options: LoadCatalogOptions = {},
  ) {
    this.#current = initial;
  }

  get current(): Catalog {
    return this.#current;
  }

  reload(jsonText: string): { ok: true; catalog: Catalog } | { ok: false; error: AppError } {
    try {
      this.#current = loadCatalog(jsonText, { ...this.options, source: this.options.source ?? this.#current.source });
      return { ok: true, catalog: this.#current };
    } catch (e) {
      if (e instanceof AppError) return { ok: false, error: e };
      throw e;
    }
  }
}
