import { describe, expect, it } from 'vitest';
import { planSuccession, successorOf, type NextPerson } from '../../src/domain/roster/succession.js';
import { loadDomainConfig } from '../../src/ops/domain-config.js';

const catalog = loadDomainConfig().catalog.current;
const rules = new Map(catalog.rules.map((r) => [r.code, r]));
const next: NextPerson[] = [
  { code: 'P2', name: '新书记', unitCode: 'U1', role: 'SECRETARY', arriving: true },
  { code: 'P3', name: '老委员', unitCode: 'U1', role: 'MEMBER', arriving: false },
];

describe('successions', () => {
  it('finds the unit\'s new secretary; for other roles only someone arriving in it', () => {
    expect(successorOf({ personId: 1, code: 'P1', name: '老书记', unitCode: 'U1', role: 'SECRETARY', newRole: null }, next)?.code).toBe('P2');
    expect(successorOf({ personId: 4, code: 'P4', name: '离任委员', unitCode: 'U1', role: 'MEMBER', newRole: null }, next)).toBeNull();
  });

  it('moves the role\'s duties, cancels the leaver\'s own liaison visits, and leaves a staying person\'s own duties to the planner', () => {
    const open = [
      { id: 1, ruleCode: 'DEBRIEF', title: '述职', personId: 1, ownerKey: 'p1' },
      { id: 2, ruleCode: 'QUARTERLY_WORK_MEETING', title: '季度例会', personId: 1, ownerKey: 'u1' },
      { id: 3, ruleCode: 'LIAISON_VISIT_SECRETARY', title: '联系点', personId: 1, ownerKey: 'p1' },
      { id: 4, ruleCode: 'LIAISON_VISIT_LEADER', title: '联系点', personId: 5, ownerKey: 'p5' },
    ];
    const steps = planSuccession(
      [
        { personId: 1, code: 'P1', name: '老书记', unitCode: 'U1', role: 'SECRETARY', newRole: null },
        { personId: 5, code: 'P5', name: '调岗', unitCode: 'U1', role: 'DEPUTY', newRole: 'MEMBER' },
      ],
      open,
      rules,
      next,
    );
    expect(steps.map((s) => [s.obligationId, s.action, s.to?.code ?? null])).toEqual([
      [1, 'move', 'P2'],
      [2, 'move', 'P2'],
      [3, 'cancel', null],
    ]);
    expect(steps[2]!.reason).toContain('离任');
  });
});
