// Applying a succession with a roster import: the plan (src/domain/roster/succession.ts) read from
// the database before the import, carried out right after it, and told to the people concerned.
import type { Deps } from '../deps.js';
import type { Catalog } from '../domain/duties/catalog.js';
import type { CurrentRoster } from '../domain/roster/diff.js';
import type { ParsedRoster } from '../domain/roster/roster.js';
import { planSuccession, type DutyStep, type Leaver, type NextPerson } from '../domain/roster/succession.js';

/** The succession an import of `next` would cause, against the roster as it is in the database. */
export async function successionPlan(db: Deps['db'], catalog: Catalog, next: ParsedRoster, cur: CurrentRoster): Promise<DutyStep[]> {
  const unitCode = new Map(cur.units.map((u) => [u.id, u.code]));
  const old = new Map(cur.people.map((p) => [p.code, p]));
  const nextByCode = new Map(next.people.map((p) => [p.code, p]));
  const leavers: Leaver[] = [];
  for (const p of cur.people) {
    if (!p.active) continue;
    const n = nextByCode.get(p.code);
    if (n && n.role === p.role && n.unitCode === unitCode.get(p.unitId)) continue;
    leavers.push({ personId: p.id, code: p.code, name: p.name, unitCode: unitCode.get(p.unitId) ?? '', role: p.role, newRole: n?.role ?? null });
  }
  if (!leavers.length) return [];
  const people: NextPerson[] = next.people.map((p) => {
    const o = old.get(p.code);
    return { code: p.code, name: p.name, unitCode: p.unitCode, role: p.role, arriving: !o || !o.active || o.role !== p.role || unitCode.get(o.unitId) !== p.unitCode };
  });
  const open = await db.obligation.findMany({
    where: { personId: { in: leavers.map((l) => l.personId) }, status: 'OPEN' },
    select: { id: true, ruleCode: true, title: true, personId: true, ownerKey: true },
    orderBy: { dueAt: 'asc' },
  });
  return planSuccession(leavers, open, new Map(catalog.rules.map((r) => [r.code, r])), people);
}

/** Carries the plan out after the import (successors now have ids); each step recorded in ObligationTransfer. */
export async function applySuccession(db: Deps['db'], steps: readonly DutyStep[], changeId: number, now: Date): Promise<{ moved: number; cancelled: number }> {
  const acting = steps.filter((s) => s.action !== 'keep');
  if (!acting.length) return { moved: 0, cancelled: 0 };
  const codes = [...new Set(acting.flatMap((s) => (s.to ? [s.to.code] : [])))];
  const ids = new Map((await db.person.findMany({ where: { code: { in: codes } }, select: { id: true, code: true } })).map((p) => [p.code, p.id]));
  let moved = 0;
  let cancelled = 0;
  await db.$transaction(async (tx) => {
    for (const s of acting) {
      const ob = await tx.obligation.findUnique({ where: { id: s.obligationId } });
      if (!ob || ob.status !== 'OPEN' || ob.personId !== s.fromPersonId) continue;
      const toId = s.to ? ids.get(s.to.code) : undefined;
      let cancel = s.action === 'cancel' || toId === undefined;
      if (!cancel) {
        // A person's duty is keyed by its owner; a unit's keeps its key and changes who answers for it.
        const ownerKey = ob.ownerKey.startsWith('p') ? `p${toId}` : ob.ownerKey;
        const clash = ownerKey !== ob.ownerKey && (await tx.obligation.findUnique({ where: { ruleCode_ownerKey_periodKey_subjectKey: { ruleCode: ob.ruleCode, ownerKey, periodKey: ob.periodKey, subjectKey: ob.subjectKey } } }));
        if (clash) cancel = true;
        else {
          await tx.obligation.update({ where: { id: ob.id }, data: { personId: toId!, ownerKey, remindersPlannedAt: null } });
          moved++;
        }
      }
      if (cancel) {
        await tx.obligation.update({ where: { id: ob.id }, data: { status: 'CANCELLED' } });
        cancelled++;
      }
      // Reminders not sent yet were for the leaver: planned again for the new holder by the next tick.
      await tx.reminder.deleteMany({ where: { obligationId: ob.id, status: 'PENDING', digestId: null } });
      await tx.obligationTransfer.create({ data: { obligationId: ob.id, fromPersonId: s.fromPersonId, toPersonId: cancel ? null : toId!, reason: cancel && s.action === 'move' ? `${s.reason}（接任者已有同期责任）` : s.reason, changeId, at: now } });
    }
  });
  return { moved, cancelled };
}

/** Tells the leaver, the successor and the unit's secretary what moved and what was cancelled. */
export async function notifySuccession(deps: Pick<Deps, 'db' | 'messenger' | 'log'>, steps: readonly DutyStep[], changeId: number): Promise<void> {
  const acting = steps.filter((s) => s.action !== 'keep');
  if (!acting.length) return;
  const people = await deps.db.person.findMany({
    where: { OR: [{ id: { in: acting.map((s) => s.fromPersonId) } }, { code: { in: acting.flatMap((s) => (s.to ? [s.to.code] : [])) } }] },
    select: { id: true, code: true, name: true, unitId: true, larkOpenId: true },
  });
  const byId = new Map(people.map((p) => [p.id, p]));
  const byCode = new Map(people.map((p) => [p.code, p]));
  const messages = new Map<string, string[]>(); // open_id → lines
  const add = (openId: string | null | undefined, line: string) => {
    if (!openId) return;
    messages.set(openId, [...(messages.get(openId) ?? []), line]);
  };
  for (const s of acting) {
    const from = byId.get(s.fromPersonId);
    const to = s.to ? byCode.get(s.to.code) : undefined;
    if (s.action === 'move' && to) {
      add(from?.larkOpenId, `「${s.title}」已移交给 ${to.name}`);
      add(to.larkOpenId, `「${s.title}」由 ${s.fromName} 移交给您`);
    } else add(from?.larkOpenId, `「${s.title}」已取消（${s.reason}）`);
  }
  // The unit's secretary (after the import) hears about every step in the unit.
  const unitIds = [...new Set(acting.map((s) => byId.get(s.fromPersonId)?.unitId).filter((u): u is number => u !== undefined))];
  const secretaries = await deps.db.person.findMany({ where: { unitId: { in: unitIds }, role: 'SECRETARY', active: true }, select: { unitId: true, larkOpenId: true } });
  for (const sec of secretaries) {
    for (const s of acting.filter((x) => byId.get(x.fromPersonId)?.unitId === sec.unitId)) {
      if (s.to && byCode.get(s.to.code)?.larkOpenId === sec.larkOpenId) continue; // told above as the successor
      add(sec.larkOpenId, s.action === 'move' && s.to ? `${s.fromName}的「${s.title}」→ ${s.to.name}` : `${s.fromName}的「${s.title}」已取消`);
    }
  }
  for (const [openId, lines] of messages) {
    const text = `根据区委组织部导入的新花名册，以下党建责任已调整：\n${lines.map((l) => `· ${l}`).join('\n')}\n已提交的报告和历史记录不变。发送 /责任清单 查看您现在的责任。`;
    try {
      await deps.messenger.text({ openId }, text, { purpose: 'succession', key: `${changeId}-${openId}` });
    } catch (err) {
      deps.log.warn({ err, openId }, 'succession notice not sent');
    }
  }
}
