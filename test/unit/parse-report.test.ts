import { describe, expect, it } from 'vitest';
import type { EvidenceField } from '../../src/domain/duties/catalog.js';
import { formatChineseDay, parseAllDates, parseChineseDate } from '../../src/domain/reports/dates.js';
import { parseNumeral } from '../../src/domain/reports/numerals.js';
import { parseReport, summarize } from '../../src/domain/reports/parse-report.js';

// Thursday 2026-11-26, 10:00 Beijing time.
const now = new Date('2026-11-26T10:00:00+08:00');
const day = (text: string, at: Date = now) => parseChineseDate(text, at)?.day ?? null;

const field = (key: string, label: string, type: EvidenceField['type'], required = true): EvidenceField => ({ key, label, type, required });

// As in config/duty-catalog.json
const PC_MEETING: EvidenceField[] = [
  field('meetingDate', '会议日期', 'date'),
  field('topics', '研究的议题或听取的专题汇报', 'text'),
  field('decisions', '研究决定的事项', 'text'),
  field('minutes', '会议纪要', 'attachment', false),
];
const LIAISON_VISIT: EvidenceField[] = [
  field('visitDate', '检查指导日期', 'date'),
  field('liaisonPoint', '基层联系点', 'orgRef'),
  field('problemsFound', '发现的问题', 'text'),
  field('problemsSolved', '帮助解决的问题和困难', 'text'),
  field('photos', '现场照片', 'attachment', false),
];
const WORK_MEETING: EvidenceField[] = [
  field('meetingDate', '会议日期', 'date'),
  field('attendees', '参会人员', 'text'),
  field('attendeeCount', '参会人数', 'number', false),
  field('problemsAnalysed', '交流的经验和分析的问题', 'text'),
  field('decisions', '研究解决的重点问题和工作安排', 'text'),
];
const DEBRIEF: EvidenceField[] = [
  field('debriefDate', '述职日期', 'date'),
  { key: 'appraisalResult', label: '评议结果', type: 'choice', required: true, options: ['好', '较好', '一般', '差'] },
];
// A variant with counts instead of descriptions.
const VISIT_COUNTS: EvidenceField[] = [
  field('visitDate', '日期', 'date'),
  field('liaisonPoint', '联系点', 'orgRef'),
  field('found', '发现问题数', 'number'),
  field('solved', '解决问题数', 'number'),
  field('note', '情况说明', 'text', false),
];

const orgNames = [
  { id: 1, name: '马东村党支部' },
  { id: 2, name: '东岸镇东风村党支部' },
  { id: 3, name: '南城街道桂园社区党委' },
  { id: 4, name: '西林镇党委' },
  { id: 5, name: '西林镇西林社区党委' },
];
const ctx = { now, orgNames };

describe('parseChineseDate', () => {
  it('reads explicit days as written', () => {
    expect(day('2026-11-20')).toBe('2026-11-20');
    expect(day('2026/11/20')).toBe('2026-11-20');
    expect(day('2026.11.20')).toBe('2026-11-20');
    expect(day('2026年11月20日上午')).toBe('2026-11-20');
    expect(day('２０２６年１１月２０日')).toBe('2026-11-20');
  });

  it('reads month and day in this year, or last year if that is still to come', () => {
    expect(day('11月20日')).toBe('2026-11-20');
    expect(day('11月20号开会')).toBe('2026-11-20');
    expect(day('十一月二十日')).toBe('2026-11-20');
    expect(day('11月26日')).toBe('2026-11-26'); // today is not the future
    expect(day('12月28日')).toBe('2025-12-28');
    expect(day('12月28日', new Date('2027-01-05T10:00:00+08:00'))).toBe('2026-12-28');
  });

  it('reads a bare day as this month, or last month if still to come', () => {
    expect(day('20日在村里')).toBe('2026-11-20');
    expect(day('20号')).toBe('2026-11-20');
    expect(day('30号')).toBe('2026-10-30');
  });

  it('reads relative days and weekdays (Thursday 2026-11-26)', () => {
    expect(day('今天')).toBe('2026-11-26');
    expect(day('昨天下午')).toBe('2026-11-25');
    expect(day('前天')).toBe('2026-11-24');
    expect(day('大前天')).toBe('2026-11-23');
    expect(day('上周五')).toBe('2026-11-20');
    expect(day('上星期五')).toBe('2026-11-20');
    expect(day('上礼拜五')).toBe('2026-11-20');
    expect(day('上周日')).toBe('2026-11-22');
    expect(day('本周三')).toBe('2026-11-25');
    expect(day('这周三')).toBe('2026-11-25');
    expect(day('周三')).toBe('2026-11-25');
    expect(day('周四')).toBe('2026-11-26');
    expect(day('星期五')).toBe('2026-11-20'); // the most recent Friday not after today
    expect(day('上个月20号')).toBe('2026-10-20');
    expect(day('上月20日', new Date('2027-01-05T10:00:00+08:00'))).toBe('2026-12-20');
  });

  it('returns the match and its index', () => {
    expect(parseChineseDate('我们于11月20日在马东村', now)).toEqual({ day: '2026-11-20', match: '11月20日', index: 3 });
    expect(parseAllDates('昨天和上周五', now).map((d) => d.day)).toEqual(['2026-11-25', '2026-11-20']);
  });

  it('does not match impossible days, nor a shorter form inside them', () => {
    expect(day('2月30日')).toBeNull();
    expect(day('2026-02-29')).toBeNull();
    expect(day('13月1日')).toBeNull();
    expect(day('32号')).toBeNull();
    expect(day('2月29日', new Date('2029-01-05T10:00:00+08:00'))).toBe('2028-02-29');
  });

  it('skips vague or non-date words', () => {
    expect(day('月初到村里')).toBeNull();
    expect(day('上周到村里')).toBeNull();
    expect(day('3号楼会议室')).toBeNull();
    expect(day('学习顺委办发〔2015〕26号文件')).toBeNull();
    expect(day('每周一学习')).toBeNull();
    expect(day('一周一次')).toBeNull();
    expect(day('3月一次')).toBeNull();
  });

  it('formats a day with its weekday', () => {
    expect(formatChineseDay('2026-11-20')).toBe('2026年11月20日（星期五）');
    expect(formatChineseDay('2026-11-22')).toBe('2026年11月22日（星期日）');
  });
});

describe('parseNumeral', () => {
  it('reads Arabic and Chinese numerals', () => {
    expect(parseNumeral('15')).toBe(15);
    expect(parseNumeral('十五')).toBe(15);
    expect(parseNumeral('二十三')).toBe(23);
    expect(parseNumeral('两')).toBe(2);
    expect(parseNumeral('一百零二')).toBe(102);
    expect(parseNumeral('一二')).toBeNull();
    expect(parseNumeral('几')).toBeNull();
  });
});

describe('parseReport', () => {
  it('liaison visit with counts', () => {
    const r = parseReport('11月20日在马东村开展了检查指导，发现问题3个，已解决2个', VISIT_COUNTS, ctx);
    expect(r.values).toEqual({ visitDate: '2026-11-20', liaisonPoint: { id: 1, name: '马东村党支部' }, found: 3, solved: 2, note: expect.any(String) });
    expect(r.values.note).toBe('11月20日在马东村开展了检查指导，发现问题3个，已解决2个'); // the main text field keeps the whole text
    expect(r.problems).toEqual([]);
  });

  it('counts in other phrasings and in Chinese numerals', () => {
    const r = parseReport('前天到东风村，发现3个问题，其中两个已解决', VISIT_COUNTS, ctx);
    expect(r.values).toMatchObject({ visitDate: '2026-11-24', found: 3, solved: 2 });
    expect(parseReport('问题十二个，解决问题十个', VISIT_COUNTS, ctx).values).toMatchObject({ found: 12, solved: 10 });
    expect(parseReport('解决问题2个，发现问题5个', VISIT_COUNTS, ctx).values).toMatchObject({ found: 5, solved: 2 });
  });

  it('liaison visit as in the catalog: descriptions are text clauses', () => {
    const r = parseReport('11月20日在马东村开展了检查指导，发现问题3个，已解决2个', LIAISON_VISIT, ctx);
    expect(r.values).toEqual({
      visitDate: '2026-11-20',
      liaisonPoint: { id: 1, name: '马东村党支部' },
      problemsFound: '发现问题3个',
      problemsSolved: '已解决2个',
    });
    expect(r.unparsed).toBe('在开展了检查指导');
    expect(r.problems).toEqual([]);
  });

  it('party committee meeting with labelled topics and decisions', () => {
    const r = parseReport('昨天召开了党委会，研究了基层党建工作，议题：换届选举筹备；决定：成立工作专班', PC_MEETING, ctx);
    expect(r.values).toEqual({ meetingDate: '2026-11-25', topics: '换届选举筹备', decisions: '成立工作专班' });
    expect(r.unparsed).toBe('召开了党委会，研究了基层党建工作');
    expect(r.problems).toEqual([]);
  });

  it('a label ends at the next label even without a semicolon; a prefixed label is whole', () => {
    const r = parseReport('上周五召开党委会，会议议题：换届选举筹备，党费收缴 决定：成立专班。', PC_MEETING, ctx);
    expect(r.values).toEqual({ meetingDate: '2026-11-20', topics: '换届选举筹备，党费收缴', decisions: '成立专班' });
    expect(r.unparsed).toBe('召开党委会');
  });

  it('unlabelled clauses go to the field with the longest cue word', () => {
    const r = parseReport('上周五召开党委会，听取了桂园社区党建工作专题汇报，会议研究决定下月开展整顿', PC_MEETING, ctx);
    expect(r.values).toMatchObject({ topics: '听取了桂园社区党建工作专题汇报', decisions: '会议研究决定下月开展整顿' });
  });

  it('a date inside a labelled text is not the meeting date', () => {
    const r = parseReport('决定：12月1日前完成换届', PC_MEETING, ctx);
    expect(r.values).toEqual({ decisions: '12月1日前完成换届' });
    expect(r.problems).toContain('没有找到会议日期（例如：11月20日、昨天）');
  });

  it('quarterly work meeting: attendee counts', () => {
    const text = '11月24日召开第四季度基层党建工作会议，应到20人，实到十八人。参会人员：班子成员、各村支书。分析问题：党员发展慢；决定：加强培训';
    const r = parseReport(text, WORK_MEETING, ctx);
    expect(r.values).toEqual({
      meetingDate: '2026-11-24',
      attendeeCount: 18,
      attendees: '班子成员、各村支书',
      problemsAnalysed: '党员发展慢',
      decisions: '加强培训',
    });
    expect(r.unparsed).toBe('召开第四季度基层党建工作会议，应到20人');
    for (const [t, n] of [['参会15人', 15], ['参加人数15', 15], ['参加人数：15', 15], ['15人参加', 15], ['出席15人', 15], ['共二十三名党员参加', 23]] as const) {
      expect(parseReport(t, WORK_MEETING, ctx).values.attendeeCount).toBe(n);
    }
    expect(parseReport('参加了一次培训', WORK_MEETING, ctx).values.attendeeCount).toBeUndefined();
  });

  it('matches orgs with and without their suffix or town prefix, longest first', () => {
    const org = (t: string) => parseReport(t, LIAISON_VISIT, ctx).values.liaisonPoint;
    expect(org('到马东村党支部调研')).toEqual({ id: 1, name: '马东村党支部' });
    expect(org('到马东调研')).toEqual({ id: 1, name: '马东村党支部' });
    expect(org('到东风村调研')).toEqual({ id: 2, name: '东岸镇东风村党支部' });
    expect(org('到桂园社区')).toEqual({ id: 3, name: '南城街道桂园社区党委' });
    expect(org('到西林社区')).toEqual({ id: 5, name: '西林镇西林社区党委' });
    expect(org('到机关调研')).toBeUndefined(); // a generic word is not a name
  });

  it('reports an ambiguous org instead of guessing', () => {
    const r = parseReport('到新村检查', LIAISON_VISIT, { now, orgNames: [{ id: 7, name: '甲镇新村党支部' }, { id: 8, name: '乙镇新村党支部' }] });
    expect(r.values.liaisonPoint).toBeUndefined();
    expect(r.problems[0]).toContain('甲镇新村党支部、乙镇新村党支部');
    expect(r.problems.some((p) => p.startsWith('没有找到基层联系点'))).toBe(false);
  });

  it('choice: the appraisal result', () => {
    const r = parseReport('12月20日向区委述职，评议结果为较好', DEBRIEF, ctx);
    expect(r.values).toEqual({ debriefDate: '2025-12-20', appraisalResult: '较好' });
    expect(parseReport('昨天述职，被评为“好”等次', DEBRIEF, ctx).values.appraisalResult).toBe('好');
  });

  it('a date after today (explicit year) is kept with a problem', () => {
    const r = parseReport('2026年12月3日召开党委会，议题：换届', PC_MEETING, ctx);
    expect(r.values.meetingDate).toBe('2026-12-03');
    expect(r.problems[0]).toBe('会议日期（2026年12月3日（星期四））在今天之后，请确认');
  });

  it('a text with nothing parseable keeps it all and lists every required field', () => {
    const r = parseReport('好的，收到', LIAISON_VISIT, ctx);
    expect(r.values).toEqual({});
    expect(r.unparsed).toBe('好的，收到');
    expect(r.problems).toEqual([
      '没有找到检查指导日期（例如：11月20日、昨天）',
      '没有找到基层联系点（请写出党组织名称，例如：马东村党支部）',
      '没有找到发现的问题（例如：发现的问题：……）',
      '没有找到帮助解决的问题和困难（例如：帮助解决的问题和困难：……）',
    ]);
  });

  it('summarize gives the confirmation lines in catalog order', () => {
    const r = parseReport('11月20日在马东村开展了检查指导，发现问题3个，已解决2个', VISIT_COUNTS, ctx);
    expect(summarize(r.values, VISIT_COUNTS)).toEqual([
      '日期：2026年11月20日（星期五）',
      '联系点：马东村党支部',
      '发现问题数：3',
      '解决问题数：2',
      '情况说明：11月20日在马东村开展了检查指导，发现问题3个，已解决2个',
    ]);
    expect(summarize({ attendeeCount: 15 }, WORK_MEETING)).toEqual(['参会人数：15']);
  });
});
