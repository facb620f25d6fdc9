// The province-scale roster the benchmarks import: 1,000 units × 15 people, 20 grassroots orgs per
// unit, a liaison point for every leader. Rows as the import templates have them (Chinese headers).
const UNITS = 1000;
const PEOPLE_PER_UNIT = 15;
const ORGS_PER_UNIT = 20;
const ROLES = ['书记', '分管领导', ...Array<string>(10).fill('班子成员'), '党建工作人员', '党建工作人员', '党建工作人员'];

/** variant 2: 5 % of the people left out (with their liaison points), 10 % with a new title. */
export function provinceRoster(variant: number): Record<string, string[][]> {
  const units = [['单位编号', '单位名称', '单位类型']];
  const people = [['人员编号', '姓名', '单位编号', '角色', '职务', '飞书open_id', '手机号', '邮箱']];
  const orgs = [['组织编号', '组织名称', '所属单位编号', '组织类型', '软弱涣散']];
  const points = [['人员编号', '组织编号']];
  for (let u = 0; u < UNITS; u++) {
    const uc = `U${String(u).padStart(4, '0')}`;
    units.push([uc, `第${u}镇党委`, '镇党委']);
    for (let o = 0; o < ORGS_PER_UNIT; o++) {
      orgs.push([`G${uc}-${o}`, `第${u}镇第${o}村党支部`, uc, o % 5 === 0 ? '社区' : '村', o === 3 ? '是' : '否']);
    }
    for (let p = 0; p < PEOPLE_PER_UNIT; p++) {
      const n = u * PEOPLE_PER_UNIT + p;
      // variant 2: 5 % of people left out (with their liaison points), 10 % get a new title.
      if (variant === 2 && n % 20 === 7) continue;
      const title = variant === 2 && n % 10 === 1 ? '新职务' : '职务';
      const role = ROLES[p]!;
      people.push([`P${String(n).padStart(6, '0')}`, `人员${n}`, uc, role, title, `ou_bench_${n}`, `139${String(n).padStart(8, '0')}`, '']);
      if (role !== '党建工作人员') points.push([`P${String(n).padStart(6, '0')}`, `G${uc}-${p % ORGS_PER_UNIT}`]);
    }
  }
  return { 单位: units, 人员: people, 基层党组织: orgs, 联系点: points };
}
