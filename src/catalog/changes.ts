// The duty catalog changed by OD staff in chat: the catalog file sent to the bot is validated as
// `catalog check` does, previewed as a diff (with the open duties and planned reminders it touches),
// and on 确认 stored as a new CatalogVersion (who, when), audited, and picked up by every process.
import { audit } from '../access/audit.js';
import { applyOnce, contentHash, createPendingChange } from '../changes/pending.js';
import type { Deps } from '../deps.js';
import { catalogDiff, type CatalogDiff } from '../domain/duties/catalog-diff.js';
import { loadCatalog } from '../domain/duties/catalog.js';
import { AppError, isAppError } from '../errors.js';
import { policyText } from '../ops/domain-config.js';

export interface CatalogPreview {
  changeId: number;
  hash: string;
  diff: CatalogDiff;
  /** Open duties and pending reminders of the changed or removed rules. */
  openDuties: number;
  pendingReminders: number;
}

export function parseCatalogText(text: string, source: string) {
  try {
    return loadCatalog(text, { source, policyText: policyText() });
  } catch (err) {
    if (isAppError(err, 'config_invalid')) throw new AppError('bad_input', `责任目录文件有误，未保存：${err.message}`);
    throw err;
  }
}

export async function previewCatalog(deps: Deps, actor: string, file: { name: string; bytes: Buffer }): Promise<CatalogPreview> {
  const text = file.bytes.toString('utf8');
  const next = parseCatalogText(text, file.name);
  const diff = catalogDiff(deps.catalog.current, next);
  if (!diff.added.length && !diff.removed.length && !diff.changed.length) throw new AppError('bad_input', '这份责任目录与正在使用的完全一致，没有需要修改的内容。');
  const codes = [...diff.changed, ...diff.removed].map((r) => r.code);
  const [openDuties, pendingReminders] = await Promise.all([
    deps.db.obligation.count({ where: { ruleCode: { in: codes }, status: 'OPEN' } }),
    deps.db.reminder.count({ where: { status: 'PENDING', obligation: { ruleCode: { in: codes }, status: 'OPEN' } } }),
  ]);
  const { id, hash } = await createPendingChange(deps.db, { kind: 'catalog', hash: contentHash(text), payload: { text, fileName: file.name }, createdBy: actor });
  await audit(deps.db, { actorId: actor, action: 'catalog.preview', result: 'ok', detail: { changeId: id, added: diff.added.length, removed: diff.removed.length, changed: diff.changed.length } });
  return { changeId: id, hash, diff, openDuties, pendingReminders };
}

/**
 * 确认: a new version, once. Reminders not yet sent of the changed rules are planned again with the
 * new reminder days by the next tick (their unclaimed PENDING rows are dropped and the duty unplanned).
 */
export async function confirmCatalog(deps: Deps, ref: { id: number; hash: string; actor: string }) {
  const now = deps.clock();
  const claim = await applyOnce(deps.db, { ...ref, kind: 'catalog', at: now }, async (tx, change) => {
    const { text, fileName } = change.payload as { text: string; fileName: string };
    const next = parseCatalogText(text, fileName);
    const diff = catalogDiff(deps.catalog.current, next);
    const row = await tx.catalogVersion.create({ data: { text, changeId: ref.id, changedBy: ref.actor, createdAt: now } });
    const codes = diff.changed.filter((c) => c.fields.some((f) => f.field === '提醒')).map((c) => c.code);
    const obs = await tx.obligation.findMany({ where: { ruleCode: { in: codes }, status: 'OPEN' }, select: { id: true } });
    const ids = obs.map((o) => o.id);
    const replanned = ids.length ? (await tx.reminder.deleteMany({ where: { obligationId: { in: ids }, status: 'PENDING', digestId: null } })).count : 0;
    if (ids.length) await tx.obligation.updateMany({ where: { id: { in: ids } }, data: { remindersPlannedAt: null } });
    const result = { version: row.version, added: diff.added.length, removed: diff.removed.length, changed: diff.changed.length, replanned };
    await audit(tx as unknown as Deps['db'], { actorId: ref.actor, action: 'catalog.confirm', result: 'ok', detail: { changeId: ref.id, ...result } });
    return result;
  });
  await refreshCatalog(deps);
  return claim;
}

const lastVersion = new WeakMap<object, number>();

/** Loads the newest CatalogVersion into the running catalog when it is newer than the one loaded. */
export async function refreshCatalog(deps: Pick<Deps, 'db' | 'catalog' | 'log'>): Promise<boolean> {
  const latest = await deps.db.catalogVersion.findFirst({ orderBy: { version: 'desc' } });
  if (!latest || lastVersion.get(deps.catalog) === latest.version) return false;
  const r = deps.catalog.reload(latest.text);
  if (!r.ok) {
    deps.log.error({ version: latest.version, error: r.error.message }, 'stored duty catalog refused; keeping the running one');
    return false;
  }
  lastVersion.set(deps.catalog, latest.version);
  return true;
}

/** Whether the running catalog came from the database (then the file watcher leaves it alone). */
export function catalogFromDatabase(catalog: object): boolean {
  return lastVersion.has(catalog);
}
