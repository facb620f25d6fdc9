import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDomainConfig } from '../../src/ops/domain-config.js';
import { seedDemo, type DemoResult } from '../../src/ops/demo.js';
import { freshDatabase, type FreshDatabase } from '../helpers/db.js';

describe('npm run demo: the example district with a realistic year so far', () => {
  let db: FreshDatabase;
  let first: DemoResult;
  const now = new Date('2026-12-02T10:00:00+08:00');
  const deps = () => ({ db: db.prisma, clock: () => now, catalog: loadDomainConfig().catalog.current });

  beforeAll(async () => {
    db = await freshDatabase('demo');
    first = await seedDemo(deps(), now);
  });
  afterAll(async () => db?.drop());

  it('plans the whole year and gives the duties already due a history: on time, late, and overdue', async () => {
    expect(await db.prisma.obligation.count({ where: { ruleCode: 'LIAISON_VISIT_SECRETARY', periodKey: '2026-01' } })).toBeGreaterThan(0);
    expect(first.onTime).toBeGreaterThan(first.late);
    expect(first.late).toBeGreaterThan(0);
    expect(first.overdue).toBeGreaterThan(0);
    expect(await db.prisma.report.count({ where: { late: true } })).toBeGreaterThan(0);
    // every commands' people have something to show: the example secretary has done and open duties
    const sec = await db.prisma.person.findFirstOrThrow({ where: { larkOpenId: 'ou_demo_0004' } });
    expect(await db.prisma.obligation.count({ where: { personId: sec.id, status: 'DONE' } })).toBeGreaterThan(0);
    expect(await db.prisma.obligation.count({ where: { personId: sec.id, status: 'OPEN', dueAt: { gt: now } } })).toBeGreaterThan(0);
  });

  it('has an escalation, an inspection with findings, and a notice with reads and acknowledgements', async () => {
    expect(await db.prisma.reminder.count({ where: { stage: 'escalate', status: 'SENT' } })).toBe(1);
    const inspection = await db.prisma.inspection.findUniqueOrThrow({ where: { id: first.inspectionId }, include: { findings: true } });
    expect(inspection.findings.length).toBe(3);
    expect(inspection.findings.every((f) => f.obligationId !== null)).toBe(true);
    const recipients = await db.prisma.noticeRecipient.findMany({ where: { noticeId: first.noticeId } });
    expect(recipients.filter((r) => r.ackAt).length).toBeGreaterThan(0);
    expect(recipients.filter((r) => r.readAt && !r.ackAt).length).toBeGreaterThan(0);
    expect(recipients.filter((r) => !r.readAt).length).toBeGreaterThan(0);
  });

  it('adds nothing when run again', async () => {
    const counts = async () => [await db.prisma.report.count(), await db.prisma.obligation.count(), await db.prisma.inspection.count(), await db.prisma.notice.count(), await db.prisma.reminder.count()];
    const before = await counts();
    const again = await seedDemo(deps(), now);
    expect(await counts()).toEqual(before);
    expect(again).toMatchObject({ onTime: first.onTime, late: first.late, overdue: first.overdue });
  });
});
