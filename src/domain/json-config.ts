// Parse and validate a JSON configuration file that people edit by hand (the OD's duty catalog,
// the calendar overrides). A mistake is reported in Chinese with the file, the line and the
// field path, e.g. "duty-catalog.json 第 42 行: rules[3].recurrence.count 应为正整数". Pure.
import type { z } from 'zod';
import { AppError } from '../errors.js';

export type JsonPath = ReadonlyArray<string | number>;

export interface ConfigIssue {
  line: number;
  path: string;
  message: string;
}

/** Parses `text` as JSON and validates it with `schema`; throws AppError('config_invalid') naming line and field. */
export function parseJsonConfig<S extends z.ZodType>(text: string, schema: S, source: string): z.output<S> {
  const body = text.replace(/^\uFEFF/, '');
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch (e) {
    const pos = /position (\d+)/.exec((e as Error).message);
    const line = pos ? lineAt(body, Number(pos[1])) : 1;
    throw configError(source, [{ line, path: '', message: `不是有效的 JSON（${(e as Error).message}）` }]);
  }
  const result = schema.safeParse(data, { error: chineseIssueMessage });
  if (result.success) return result.data;
  const offsets = locateJsonPaths(body);
  const issue = (path: JsonPath, message: string): ConfigIssue => ({ line: lineOfPath(body, offsets, path), path: formatPath(path), message });
  const issues = result.error.issues.flatMap((iss) => {
    const path = iss.path.map(toKey);
    // An unknown key is reported at the key itself, one issue per key.
    if (iss.code === 'unrecognized_keys') return iss.keys.map((k) => issue([...path, k], iss.message));
    return [issue(path, iss.message)];
  });
  issues.sort((a, b) => a.line - b.line);
  throw configError(source, issues);
}

/** Validates already-parsed data (no text, so no line numbers); throws AppError('config_invalid') naming the field. */
export function validateConfig<S extends z.ZodType>(data: unknown, schema: S, source: string): z.output<S> {
  const result = schema.safeParse(data, { error: chineseIssueMessage });
  if (result.success) return result.data;
  const lines = result.error.issues.slice(0, 10).map((iss) => {
    const path = iss.path.map(toKey);
    const keys = iss.code === 'unrecognized_keys' ? iss.keys.map((k) => formatPath([...path, k])).join('、') : formatPath(path);
    return `${source}: ${keys ? `${keys} ` : ''}${iss.message}`;
  });
  throw new AppError('config_invalid', lines.join('\n'), { source });
}

function toKey(k: PropertyKey): string | number {
  return typeof k === 'number' ? k : String(k);
}

function configError(source: string, issues: ConfigIssue[]): AppError {
  const lines = issues.slice(0, 10).map((i) => `${source} 第 ${i.line} 行: ${i.path ? `${i.path} ` : ''}${i.message}`);
  if (issues.length > 10) lines.push(`……另有 ${issues.length - 10} 处错误`);
  return new AppError('config_invalid', lines.join('\n'), { source, issues });
}

/** `rules[3].recurrence.count` */
export function formatPath(path: JsonPath): string {
  let out = '';
  for (const k of path) out += typeof k === 'number' ? `[${k}]` : out === '' ? k : `.${k}`;
  return out;
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** Line of the deepest part of `path` present in the text (a missing key points at its parent object). */
function lineOfPath(text: string, offsets: Map<string, number>, path: JsonPath): number {
  for (let n = path.length; n >= 0; n--) {
    const at = offsets.get(JSON.stringify(path.slice(0, n)));
    if (at !== undefined) return lineAt(text, at);
  }
  return 1;
}

/**
 * Offsets of every key (object members) and element (array items) of a JSON text known to be valid,
 * by path (JSON.stringify of the path array).
 */
export function locateJsonPaths(text: string): Map<string, number> {
  const offsets = new Map<string, number>();
  let i = 0;
  const skipWs = (): void => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  const readString = (): string => {
    const start = i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const readValue = (path: JsonPath): void => {
    skipWs();
    const c = text[i];
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      i++;
      skipWs();
      if (text[i] === close) {
        i++;
        return;
      }
      for (let n = 0; ; n++) {
        skipWs();
        let p: JsonPath;
        if (c === '{') {
          const at = i;
          p = [...path, readString()];
          offsets.set(JSON.stringify(p), at);
          skipWs();
          i++; // ':'
        } else {
          p = [...path, n];
          skipWs();
          offsets.set(JSON.stringify(p), i);
        }
        readValue(p);
        skipWs();
        if (text[i++] !== ',') return;
      }
    }
    if (c === '"') {
      readString();
      return;
    }
    while (i < text.length && !/[\s,\]}]/.test(text[i]!)) i++;
  };
  skipWs();
  offsets.set('[]', i);
  readValue([]);
  return offsets;
}

const TYPE_NAMES: Record<string, string> = {
  number: '数字',
  int: '整数',
  string: '文字（带引号的字符串）',
  array: '列表 [...]',
  object: '对象 {...}',
  boolean: 'true 或 false',
};

/** Chinese messages for zod issues; a message set on the schema itself takes precedence. */
function chineseIssueMessage(iss: z.core.$ZodRawIssue): string {
  switch (iss.code) {
    case 'invalid_type':
      if (iss.input === undefined) return '缺少此项';
      return `应为${TYPE_NAMES[iss.expected] ?? iss.expected}`;
    case 'too_small':
      if (iss.origin === 'array') return `至少应有 ${String(iss.minimum)} 项`;
      if (iss.origin === 'string') return '不能为空';
      return `应不小于 ${String(iss.minimum)}`;
    case 'too_big':
      if (iss.origin === 'array') return `最多 ${String(iss.maximum)} 项`;
      if (iss.origin === 'string') return `最长 ${String(iss.maximum)} 个字`;
      return `应不大于 ${String(iss.maximum)}`;
    case 'invalid_value':
      return `应为以下之一：${iss.values.map((v) => JSON.stringify(v)).join('、')}`;
    case 'unrecognized_keys':
      return '是不认识的字段（请检查拼写）';
    case 'invalid_format':
      return '格式不正确';
    case 'invalid_union':
      return '格式不正确';
    default:
      return '不正确';
  }
}
