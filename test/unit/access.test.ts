import { describe, expect, it } from 'vitest';
import { can, canViewUnit, refusal } from '../../src/access/policy.js';

describe('access policy (deny by default)', () => {
  it('lets only OD staff record inspections, export, change rules and send notices', () => {
    for (const action of ['inspection.record', 'export', 'rules.change', 'notice.send'] as const) {
      expect(can('OD_STAFF', action)).toBe(true);
      for (const role of ['SECRETARY', 'DEPUTY', 'MEMBER', 'STAFF', 'DISTRICT_LEADER'] as const) expect(can(role, action)).toBe(false);
      expect(refusal(action)).toMatch(/区委组织部/);
    }
  });

  it('shows a unit to its secretary and staff, every unit to the OD and district leaders, none to members', () => {
    expect(canViewUnit({ role: 'SECRETARY', unitId: 1 }, 1)).toBe(true);
    expect(canViewUnit({ role: 'STAFF', unitId: 1 }, 1)).toBe(true);
    expect(canViewUnit({ role: 'SECRETARY', unitId: 1 }, 2)).toBe(false);
    expect(canViewUnit({ role: 'MEMBER', unitId: 1 }, 1)).toBe(false);
    expect(canViewUnit({ role: 'DEPUTY', unitId: 1 }, 1)).toBe(false);
    expect(canViewUnit({ role: 'OD_STAFF', unitId: 9 }, 1)).toBe(true);
    expect(canViewUnit({ role: 'DISTRICT_LEADER', unitId: 9 }, 3)).toBe(true);
  });
});
