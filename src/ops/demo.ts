// `npm run demo`: the example district (templates/import) with a realistic year so far, so every
// command shows real data on the first try: the roster, list and projects imported as of 1 January,
// the whole year planned, and for every duty already due a history — most reported on time, some
// late, some left overdue — plus an escalation, an inspection with findings, and a notice with reads
// and acknowledgements. Deterministic (the same choices every run) and safe to repeat: reports,
// the inspection and the notice are keyed, so a second run adds nothing.
import path from 'node:path';
import type { Deps } from '../deps.js';
import { beijingDay } from '../domain/calendar/working-days.js';
import type { Catalog } from '../domain/duties/catalog.js';
import { importListFile, importProjectsFile, importRosterFile } from '../import/roster-import.js';
import { generateObligations } from '../obligations/generate.js';
import { recordInspection } from '../oversight/inspections.js';
import { projectPath } from '../paths.js';
import { recordReport } from '../reports/record.js';

export interface DemoResult {
  people: number;
  obligations: number;
  onTime: number;
  late: number;
  overdue: number;
  inspectionId: number;
  noticeId: number;
}

/** What becomes of a duty already due: a fixed share of each, chosen by its id. Pure. */
export function demoFate(obligationId: number): 'on-time' | 'late' | 'overdue' {
  const r = (obligationId * 2654435761) % 100;
  return r < 68 ? 'on-time' : r < 84 ? 'late' : 'overdue';
}

const REPORT_TEXT: Record<string, (day: string) => string> = {
  LIAISON_VISIT_SECRETARY: (d) => `${d}到联系点检查指导，走访党员群众，帮助解决了党员活动阵地问题`,
  LIAISON_VISIT_LEADER: (d) => `${d}深入联系点具体指导，发现问题2个，已解决1个`,
  QUARTERLY_WORK_MEETING: (d) => `${d}召开基层党建工作会议，参会15人，分析了组织生活不规范的问题，研究决定开展专项整治`,
  PC_MEETING_STUDY: (d) => `${d}党委会议专题研究基层党建工作，听取了党建工作专题汇报，决定加强阵地建设`,
};

function zhDay(day: string): string {
  const [, m, d] = day.split('-').map(Number);
  return `${m}月${d}日`;
}

export async function seedDemo(deps: Pick<Deps, 'db' | 'clock'> & { catalog: Catalog }, now: Date): Promise<DemoResult> {
  const { db } = deps;
  const year = Number(beijingDay(now).slice(0, 4));
  const jan1 = new Date(`${year}-01-01T09:00:00+08:00`);
  const yearStart = new Date(`${year}-01-01T00:00:00+08:00`);
  const dir = projectPath('templates', 'import');
  await importRosterFile(db, path.join(dir, 'roster-template.xlsx'), { now: jan1 });
  await importListFile(db, path.join(dir, 'list-template.xlsx'), { now: jan1 });
  await importProjectsFile(db, path.join(dir, 'projects-template.xlsx'), { now: jan1 });
  await generateObligations(db, { year, now: jan1, catalog: deps.catalog });

  // Reports of the duties already due.
  const due = await db.obligation.findMany({ where: { dueAt: { lt: now }, periodStart: { gte: yearStart }, status: 'OPEN' }, orderBy: { id: 'asc' } });
  // A unit's duty without a named owner is reported by its secretary.
  const secretaries = new Map((await db.person.findMany({ where: { role: 'SECRETARY', active: true }, orderBy: { id: 'desc' } })).map((p) => [p.unitId, p.id]));
  const result: DemoResult = { people: await db.person.count(), obligations: await db.obligation.count(), onTime: 0, late: 0, overdue: 0, inspectionId: 0, noticeId: 0 };
  for (const ob of due) {
    const fate = demoFate(ob.id);
    const reporterId = ob.personId ?? secretaries.get(ob.unitId);
    if (fate === 'overdue' || reporterId === undefined) continue;
    const at = fate === 'on-time' ? new Date(ob.dueAt.getTime() - 5 * 86_400_000) : new Date(Math.min(ob.dueAt.getTime() + 6 * 86_400_000, now.getTime()));
    const day = beijingDay(new Date(Math.max(ob.periodStart.getTime(), at.getTime() - 86_400_000)));
    const text = (REPORT_TEXT[ob.ruleCode] ?? ((d: string) => `${d}已按要求完成，材料已归档`))(zhDay(day));
    for (let n = 0; n < ob.requiredCount; n++) {
      await recordReport(db, { obligationId: ob.id, personId: reporterId, sourceKey: `demo:${ob.id}:${n}`, text, fields: {}, evidence: [], now: at });
    }
  }

  // An escalation: the oldest overdue duty was escalated to its unit's secretary.
  const oldest = await db.obligation.findFirst({ where: { status: 'OPEN', dueAt: { lt: now }, personId: { not: null } }, orderBy: { dueAt: 'asc' } });
  if (oldest) {
    const sec = await db.person.findFirst({ where: { unitId: oldest.unitId, role: 'SECRETARY', active: true } });
    if (sec) {
      await db.reminder.createMany({
        data: [
          { obligationId: oldest.id, stage: 'overdue', recipientId: oldest.personId!, sendOn: new Date(oldest.dueAt.getTime() + 86_400_000), status: 'SENT' as const },
          { obligationId: oldest.id, stage: 'escalate', recipientId: sec.id, sendOn: new Date(oldest.dueAt.getTime() + 6 * 86_400_000), status: 'SENT' as const },
        ],
        skipDuplicates: true,
      });
    }
  }

  // An inspection with findings (rectification duties of the unit).
  const od = await db.person.findFirstOrThrow({ where: { role: 'OD_STAFF', active: true }, orderBy: { id: 'asc' } });
  const town = await db.unit.findFirstOrThrow({ where: { kind: 'TOWN', active: true }, orderBy: { id: 'asc' } });
  const inspectedOn = beijingDay(new Date(now.getTime() - 20 * 86_400_000));
  const deadline = beijingDay(new Date(now.getTime() + 20 * 86_400_000));
  const { inspection } = await recordInspection(
    deps as unknown as Deps, // it reads only db and clock
    od,
    { unit: town.name, method: 'UNANNOUNCED', inspectedOn, deadline, findings: '三会一课会议记录不全\n党员活动室长期未开放\n发展党员材料归档不规范' },
    'demo:inspection',
  );
  result.inspectionId = inspection.id;

  // A notice, sent to every secretary, with reads and acknowledgements.
  const title = `关于做好${year}年度基层党建工作述职评议准备的通知`;
  const existing = await db.notice.findFirst({ where: { title } });
  const notice =
    existing ??
    (await db.notice.create({
      data: { title, body: '请各单位书记对照责任清单，准备本年度抓基层党建工作述职材料，并于年底前报区委组织部。', createdById: od.id, audience: { kind: 'ROLE', role: 'SECRETARY' }, ackRequired: true, status: 'SENT', sentAt: new Date(now.getTime() - 3 * 86_400_000) },
    }));
  const recipients = await db.person.findMany({ where: { role: 'SECRETARY', active: true }, orderBy: { id: 'asc' } });
  await db.noticeRecipient.createMany({
    data: recipients.map((p, i) => ({
      noticeId: notice.id,
      personId: p.id,
      status: 'SENT' as const,
      messageId: `om_demo_notice_${p.id}`,
      ...(i % 3 !== 2 ? { readAt: new Date(now.getTime() - 2 * 86_400_000) } : {}),
      ...(i % 3 === 0 ? { ackAt: new Date(now.getTime() - 2 * 86_400_000) } : {}),
    })),
    skipDuplicates: true,
  });
  result.noticeId = notice.id;
  // As the database has it (a second run adds nothing).
  const past = { dueAt: { lt: now }, periodStart: { gte: yearStart } };
  result.onTime = await db.obligation.count({ where: { ...past, status: 'DONE', late: false } });
  result.late = await db.obligation.count({ where: { ...past, status: 'DONE', late: true } });
  result.overdue = await db.obligation.count({ where: { ...past, status: 'OPEN' } });
  result.obligations = await db.obligation.count();
  return result;
}
