// A small roster for the reminder tests: two towns (secretary, deputy, member, staff each) and the
// organisation department (one OD_STAFF), every person with a Lark open_id the sandbox knows.
import type { PrismaClient } from '../../src/db/client.js';

export interface SeededPerson {
  id: number;
  code: string;
  name: string;
  openId: string;
  role: 'SECRETARY' | 'DEPUTY' | 'MEMBER' | 'STAFF' | 'OD_STAFF';
  unitId: number;
}

export interface SeededRoster {
  units: { id: number; name: string }[];
  people: SeededPerson[];
  /** Sandbox users for startSandbox({ users }). */
  users: { openId: string; name: string }[];
  by(role: SeededPerson['role'], unitIndex?: number): SeededPerson;
}

const ROLES = [
  ['SECRETARY', '书记'],
  ['DEPUTY', '副书记'],
  ['MEMBER', '委员'],
  ['STAFF', '党建办'],
] as const;

export async function seedRoster(db: PrismaClient, o: { activeFrom?: Date; units?: number } = {}): Promise<SeededRoster> {
  const activeFrom = o.activeFrom ?? new Date('2025-01-01T00:00:00+08:00');
  const unitNames = ['大良街道', '容桂街道', '伦教街道', '勒流街道'].slice(0, o.units ?? 2);
  const units: SeededRoster['units'] = [];
  const people: SeededPerson[] = [];
  const surnames = ['陈', '李', '黄', '梁', '何', '罗', '冯', '吴'];
  for (const [ui, name] of unitNames.entries()) {
    const unit = await db.unit.create({ data: { code: `U${ui + 1}`, name: `${name}党工委`, kind: 'SUBDISTRICT' } });
    units.push({ id: unit.id, name: unit.name });
    for (const [ri, [role, title]] of ROLES.entries()) {
      const code = `P${ui + 1}${ri + 1}`;
      const pname = `${surnames[(ui * 4 + ri) % surnames.length]}${title}${ui + 1}`;
      const openId = `ou_rem_${code.toLowerCase()}`;
      const p = await db.person.create({ data: { code, name: pname, unitId: unit.id, role, title, larkOpenId: openId, activeFrom } });
      people.push({ id: p.id, code, name: pname, openId, role, unitId: unit.id });
    }
  }
  const od = await db.unit.create({ data: { code: 'OD', name: '区委组织部', kind: 'OD' } });
  const odp = await db.person.create({ data: { code: 'OD1', name: '组织部小郑', unitId: od.id, role: 'OD_STAFF', larkOpenId: 'ou_rem_od1', activeFrom } });
  people.push({ id: odp.id, code: 'OD1', name: odp.name, openId: 'ou_rem_od1', role: 'OD_STAFF', unitId: od.id });
  return {
    units,
    people,
    users: people.map((p) => ({ openId: p.openId, name: p.name })),
    by(role, unitIndex = 0) {
      const unitId = role === 'OD_STAFF' ? od.id : units[unitIndex]!.id;
      const p = people.find((x) => x.role === role && x.unitId === unitId);
      if (!p) throw new Error(`no ${role} in unit ${unitIndex}`);
      return p;
    },
  };
}
