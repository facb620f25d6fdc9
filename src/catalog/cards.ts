import { button, buttons, card, esc, hr, md } from '../cards/card.js';
import type { Catalog } from '../domain/duties/catalog.js';
import { ROLE_ZH } from '../domain/roles.js';
import type { CatalogPreview } from './changes.js';

const PERIOD_ZH: Record<string, string> = { month: '每月', quarter: '每季度', half: '每半年', year: '每年', set: '按设定时限' };

/** /职责: every duty with who owes it, how often, the reminder days, the evidence and its 依据. */
export function catalogCard(c: Catalog, version: string): Record<string, unknown> {
  const lines = c.rules.map((r) => {
    const who = r.owner === 'unit' ? `单位（${r.accountableRole ? ROLE_ZH[r.accountableRole] : ''}负责）` : r.ownerRoles.map((x) => ROLE_ZH[x]).join('、');
    const often = r.recurrence.kind === 'set' ? PERIOD_ZH.set : `${PERIOD_ZH[r.recurrence.kind] ?? r.recurrence.kind}${'count' in r.recurrence && r.recurrence.count > 1 ? ` ${r.recurrence.count} 次` : ''}`;
    const rem = r.reminders;
    return (
      `**${r.no}. ${esc(r.name)}**（${r.code}）\n责任人：${esc(who)}；频次：${often}\n` +
      `提醒：截止前 ${rem.beforeWorkingDays.join('、')} 个工作日；逾期 ${rem.overdueAfterDays} 个工作日后催办，${rem.escalateAfterWorkingDays} 个工作日后报上级\n` +
      `报告内容：${r.evidence.map((e) => esc(e.label)).join('、')}\n依据：${esc(r.clause.ref)}「${esc(r.clause.quote)}」`
    );
  });
  return card({ title: '党建责任目录', subtitle: version, template: 'blue', elements: [md(lines.join('\n\n')), hr(), md('区委组织部修改：把责任目录文件（duty-catalog.json）发给机器人，预览确认后生效。')] });
}

export function catalogPreviewCard(p: CatalogPreview): Record<string, unknown> {
  const d = p.diff;
  const lines = [
    ...d.added.map((r) => `＋ ${esc(r.name)}（${r.code}）`),
    ...d.removed.map((r) => `－ ${esc(r.name)}（${r.code}）`),
    ...d.changed.map((r) => `～ ${esc(r.name)}（${r.code}）：${r.fields.map((f) => `${f.field} ${esc(f.from)} → ${esc(f.to)}`).join('；')}`),
  ];
  return card({
    title: '责任目录修改预览',
    subtitle: `变更编号 ${p.changeId}`,
    template: 'orange',
    elements: [
      md(`新增 ${d.added.length}，删除 ${d.removed.length}，修改 ${d.changed.length}\n${lines.join('\n')}`),
      md(`**影响**：涉及未完成的责任 ${p.openDuties} 项、已排定未发出的提醒 ${p.pendingReminders} 条；提醒天数变了的责任，其提醒将按新规定重新排期。`),
      buttons(
        button('确认生效', { action: 'catalog.confirm', changeId: p.changeId, hash: p.hash }, 'primary'),
        button('取消', { action: 'change.cancel', changeId: p.changeId, hash: p.hash }),
      ),
    ],
  });
}
