import { describe, expect, it } from 'vitest';
import { inferDuty, type DutyCandidate } from '../../src/domain/reports/infer-duty.js';

const d = (iso: string) => new Date(`${iso}T00:00:00+08:00`);
const visitDec: DutyCandidate = { id: 1, ruleCode: 'LIAISON_VISIT_SECRETARY', title: '2026年12月 到基层联系点检查指导（联系点：容桂细滘社区党委）', periodStart: d('2026-12-01'), dueAt: d('2026-12-31') };
const visitNov: DutyCandidate = { id: 2, ruleCode: 'LIAISON_VISIT_SECRETARY', title: '2026年11月 到基层联系点检查指导（联系点：容桂细滘社区党委）', periodStart: d('2026-11-01'), dueAt: d('2026-11-30') };
const meeting: DutyCandidate = { id: 3, ruleCode: 'QUARTERLY_WORK_MEETING', title: '2026年第四季度 基层党建工作会议', periodStart: d('2026-10-01'), dueAt: d('2026-12-31') };
const study: DutyCandidate = { id: 4, ruleCode: 'PC_MEETING_STUDY', title: '2026年下半年 党组（党委、党工委）会议研究基层党建工作、听取专题汇报', periodStart: d('2026-07-01'), dueAt: d('2026-12-31') };
const project: DutyCandidate = { id: 5, ruleCode: 'PROJECT_MILESTONE', title: '书记项目“红色物业进小区”第2个节点：完成试点小区挂牌', periodStart: d('2026-01-01'), dueAt: d('2026-12-15') };

describe('inferDuty: which of a reminder card’s duties a reply is about', () => {
  it('files a visit naming the liaison point directly under the visit, saying why', () => {
    const r = inferDuty({ text: '12月2日到容桂细滘社区党委走访党员5户', candidates: [meeting, visitDec, project], reportDay: '2026-12-02', liaisonPoint: '细滘社区' });
    expect(r.chosen?.candidate.id).toBe(visitDec.id);
    expect(r.chosen?.reasons.join('，')).toContain('联系点细滘社区');
    expect(r.chosen?.reasons.join('，')).toContain('走访');
  });

  it('takes the visit of the period the date falls in when the card carries two months', () => {
    const r = inferDuty({ text: '11月20日到细滘社区检查指导', candidates: [visitDec, visitNov, meeting], reportDay: '2026-11-20', liaisonPoint: '细滘社区' });
    expect(r.chosen?.candidate.id).toBe(visitNov.id);
  });

  it('tells the party committee’s study meeting from the quarterly work meeting by the words used', () => {
    expect(inferDuty({ text: '12月1日党委会议专题研究基层党建工作', candidates: [meeting, study, visitDec] }).chosen?.candidate.id).toBe(study.id);
    expect(inferDuty({ text: '召开第四季度基层党建工作会议，参会15人', candidates: [meeting, study, visitDec] }).chosen?.candidate.id).toBe(meeting.id);
  });

  it('files a project report by the project’s name', () => {
    expect(inferDuty({ text: '红色物业试点小区已挂牌', candidates: [meeting, visitDec, project] }).chosen?.candidate.id).toBe(project.id);
  });

  it('asks when the text could be either meeting, the likelier ones first', () => {
    const r = inferDuty({ text: '今天召开了会议，讨论了下一步安排', candidates: [visitDec, meeting, study] });
    expect(r.chosen).toBeUndefined();
    expect(r.ranked.slice(0, 2).map((x) => x.candidate.ruleCode).sort()).toEqual(['PC_MEETING_STUDY', 'QUARTERLY_WORK_MEETING']);
    expect(r.ranked[2]!.candidate.id).toBe(visitDec.id);
  });

  it('asks when nothing in the text points anywhere, earliest due first', () => {
    const r = inferDuty({ text: '已完成', candidates: [visitDec, meeting, project] });
    expect(r.chosen).toBeUndefined();
    expect(r.ranked[0]!.candidate.id).toBe(project.id);
  });
});
