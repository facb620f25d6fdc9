import { describe, expect, it } from 'vitest';
import { colored } from '../../src/cards/card.js';
import { loadDomainConfig } from '../../src/ops/domain-config.js';
import { failureReasonZh } from '../../src/lark/errors.js';
import { describeAll, listTemplate } from '../../src/obligations/items.js';

const { catalog, calendar } = loadDomainConfig();
const now = new Date('2026-11-02T10:00:00+08:00'); // a Monday
const ob = (due: string, status: 'OPEN' | 'DONE' = 'OPEN') => ({ id: 1, title: 't', ruleCode: 'LIAISON_VISIT_SECRETARY', dueAt: new Date(`${due}T23:59:59+08:00`), status, requiredCount: 1, doneCount: 0, late: false });
const colour = (...obs: ReturnType<typeof ob>[]) => listTemplate(describeAll(obs, now, catalog.current, calendar));

describe('header colours by meaning', () => {
  it('red only when something is overdue, orange when due within 5 working days, blue otherwise, green when nothing is open', () => {
    expect(colour(ob('2026-10-30'), ob('2026-11-30'))).toBe('red');
    expect(colour(ob('2026-11-06'), ob('2026-11-30'))).toBe('orange');
    expect(colour(ob('2026-11-30'))).toBe('blue');
    expect(colour(ob('2026-10-30', 'DONE'))).toBe('green');
    expect(colour()).toBe('green');
  });
});

describe('failure reasons in Chinese', () => {
  it('names resigned, blocked and out-of-scope users instead of Lark codes', () => {
    expect(failureReasonZh('lark_unreachable_target:230029')).toBe('已离职');
    expect(failureReasonZh('lark_unreachable_target:230053')).toBe('已屏蔽机器人');
    expect(failureReasonZh('lark_unreachable_target:230013')).toBe('不在应用可用范围');
    expect(failureReasonZh('lark_bad_request:230001')).toContain('230001');
    expect(failureReasonZh('retryable:null')).not.toMatch(/[a-z]/);
  });
});

describe('coloured text of several lines', () => {
  it('closes the font tag on every line, so no markup shows literally', () => {
    expect(colored('grey', '原文：第一行\n第二行 <b>\n\n第三行')).toBe("<font color='grey'>原文：第一行</font>\n<font color='grey'>第二行 \\<b\\></font>\n<font color='grey'>第三行</font>");
  });
});
