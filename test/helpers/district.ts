// The shipped example district (templates/import), imported and planned into a test database.
import path from 'node:path';
import type { PrismaClient } from '../../src/db/client.js';
import { importListFile, importProjectsFile, importRosterFile } from '../../src/import/roster-import.js';
import { generateObligations } from '../../src/obligations/generate.js';
import { loadDomainConfig } from '../../src/ops/domain-config.js';
import { projectPath } from '../../src/paths.js';

const TEMPLATES = projectPath('templates', 'import');

/** People of the example roster, by role, with their Lark open_ids. */
export const DEMO = {
  odStaff: { code: 'P0001', openId: 'ou_demo_0001', name: '陈志明' },
  secretary: { code: 'P0004', openId: 'ou_demo_0004', name: '梁振华' }, // 东岸镇, liaison point 东风村
  deputy: { code: 'P0005', openId: 'ou_demo_0005', name: '何丽娟' },
  member: { code: 'P0006', openId: 'ou_demo_0006', name: '罗建新' },
  staff: { code: 'P0008', openId: 'ou_demo_0008', name: '邓嘉欣' },
  otherSecretary: { code: 'P0009', openId: 'ou_demo_0009', name: '苏伟明' },
} as const;

export const DEMO_USERS = Object.values(DEMO).map((p) => ({ openId: p.openId, name: p.name }));

/** Import roster, list and projects as of `asOf`, and plan the year's obligations. */
export async function seedDistrict(db: PrismaClient, year: number, asOf: Date): Promise<void> {
  await importRosterFile(db, path.join(TEMPLATES, 'roster-template.xlsx'), { now: asOf });
  await importListFile(db, path.join(TEMPLATES, 'list-template.xlsx'), { now: asOf });
  await importProjectsFile(db, path.join(TEMPLATES, 'projects-template.xlsx'), { now: asOf });
  await generateObligations(db, { year, now: asOf, catalog: loadDomainConfig().catalog.current });
}
