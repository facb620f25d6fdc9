// The preview of an import sent in chat, with 确认导入 / 取消, and the answer after it.
import { button, buttons, card, esc, hr, md, type Element } from '../cards/card.js';
import type { SectionDiff } from '../domain/roster/diff.js';
import type { ImportPreview, ImportResult } from './chat-import.js';
import { IMPORT_KIND_ZH } from './upload.js';

const LIMIT = 15;

function section(title: string, d: SectionDiff): Element[] {
  if (!d.added.length && !d.changed.length && !d.deactivated.length) return [];
  const lines: string[] = [`**${title}**：新增 ${d.added.length}，变更 ${d.changed.length}，停用 ${d.deactivated.length}`];
  const few = <T>(l: T[], f: (x: T) => string, prefix: string) => {
    for (const x of l.slice(0, LIMIT)) lines.push(`${prefix}${f(x)}`);
    if (l.length > LIMIT) lines.push(`${prefix}……另有 ${l.length - LIMIT} 个`);
  };
  few(d.added, (x) => `${esc(x.name)}（${esc(x.code)}）`, '＋ ');
  few(d.changed, (x) => `${esc(x.name)}（${esc(x.code)}）：${x.changes.map((c) => `${c.field} ${esc(c.from)}→${esc(c.to)}`).join('；')}`, '～ ');
  few(d.deactivated, (x) => `${esc(x.name)}（${esc(x.code)}）`, '－ ');
  return [md(lines.join('\n'))];
}

export function importPreviewCard(p: ImportPreview): Record<string, unknown> {
  const elements: Element[] = [md(`文件：${esc(p.fileName)}（${IMPORT_KIND_ZH[p.kind]}），检查通过。以下是导入后的变化，**确认后才写入**。`)];
  if (p.roster) {
    const d = p.roster;
    elements.push(...section('单位', d.units), ...section('人员', d.people), ...section('基层党组织', d.orgs));
    if (d.liaisonPoints.added.length || d.liaisonPoints.removed.length) {
      elements.push(
        md(
          [`**联系点**：新增 ${d.liaisonPoints.added.length}，取消 ${d.liaisonPoints.removed.length}`, ...d.liaisonPoints.added.slice(0, LIMIT).map((l) => `＋ ${esc(l)}`), ...d.liaisonPoints.removed.slice(0, LIMIT).map((l) => `－ ${esc(l)}`)].join('\n'),
        ),
      );
    }
    elements.push(hr());
    const steps = p.succession ?? [];
    const stepLine = (s: (typeof steps)[number]) =>
      s.action === 'move' ? `→ ${esc(s.fromName)}「${esc(s.title)}」移交 **${esc(s.to!.name)}**` : s.action === 'cancel' ? `× ${esc(s.fromName)}「${esc(s.title)}」取消（${esc(s.reason)}）` : `… ${esc(s.fromName)}「${esc(s.title)}」${esc(s.reason)}`;
    elements.push(
      md(
        `**对责任的影响**：确认后按新花名册生成 ${p.year} 年的责任（新增人员、角色变动的人员获得相应责任）。\n` +
          (steps.length
            ? `离任、调岗人员未完成的责任 ${steps.length} 项：移交 ${steps.filter((s) => s.action === 'move').length}，取消 ${steps.filter((s) => s.action === 'cancel').length}\n${steps.slice(0, 20).map(stepLine).join('\n')}${steps.length > 20 ? `\n……另有 ${steps.length - 20} 项` : ''}\n导入后将通知本人、接任者和单位书记。`
            : '没有离任、调岗人员的未完成责任受影响。'),
      ),
    );
  } else if (p.rows) {
    const r = p.rows;
    elements.push(md(p.kind === 'list' ? `共 ${r.items} 项清单内容，涉及 ${r.units} 个单位；同一单位同一年度以本文件为准（文件中没有的序号将删除）。` : `共 ${r.projects} 个项目、${r.milestones} 个节点。`));
    elements.push(md(`确认后生成相应的责任并按时提醒。`));
  }
  elements.push(
    buttons(
      button('确认导入', { action: 'import.confirm', changeId: p.changeId, hash: p.hash, kind: p.kind }, 'primary'),
      button('取消', { action: 'change.cancel', changeId: p.changeId, hash: p.hash }),
    ),
  );
  return card({ title: `导入预览 · ${IMPORT_KIND_ZH[p.kind]}`, subtitle: `变更编号 ${p.changeId}`, template: 'orange', elements });
}

const COUNT_ZH: Record<string, string> = { units: '单位', people: '人员', orgs: '基层党组织', liaisonPoints: '联系点', projects: '项目', milestones: '节点' };

export function importDoneText(r: ImportResult): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(r.summary)) {
    if (typeof v !== 'object' || v === null) continue;
    const c = v as Record<string, number>;
    parts.push(`${COUNT_ZH[k] ?? k}：${Object.entries(c).map(([n, x]) => `${{ created: '新增', updated: '更新', deactivated: '停用', deleted: '删除', unchanged: '未变' }[n] ?? n} ${x}`).join('，')}`);
  }
  if (r.kind === 'list') parts.push(`清单：新增 ${r.summary.created}，更新 ${r.summary.updated}，删除 ${r.summary.deleted}，未变 ${r.summary.unchanged}`);
  const o = r.obligations;
  const handover = r.succession ? `\n离任、调岗人员的未完成责任：移交接任者 ${r.succession.moved} 项，取消 ${r.succession.cancelled} 项（已通知相关人员）。` : '';
  return `${IMPORT_KIND_ZH[r.kind]}导入完成。\n${parts.join('\n')}\n责任：新生成 ${o.created} 项，取消 ${o.cancelled} 项，恢复 ${o.reopened} 项。${handover}`;
}
