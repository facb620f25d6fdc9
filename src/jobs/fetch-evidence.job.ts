import { z } from 'zod';
import { downloadEvidence, EVIDENCE_LIMITS, evidenceLabel, EvidenceTooLarge, FETCH_EVIDENCE_JOB } from '../reports/evidence.js';
import { defineJob } from './job.js';

/**
 * Download again a photo or file Lark did not hand over when the report was stored (id evidence-<id>,
 * EVIDENCE_FETCH_ATTEMPTS attempts with doubling backoff). Kept: the row becomes STORED. Still not on
 * the last attempt: FAILED with the reason, and the reporter is told which attachment to resend.
 */
export const fetchEvidenceJob = defineJob({
  name: FETCH_EVIDENCE_JOB,
  schema: z.object({ evidenceId: z.number().int().positive() }),
  async run({ evidenceId }, { deps, log, finalAttempt, attempt }) {
    const ev = await deps.db.evidence.findUnique({
      where: { id: evidenceId },
      include: { report: { select: { id: true, withdrawnAt: true, obligation: { select: { title: true } }, person: { select: { larkOpenId: true } } } } },
    });
    if (!ev || ev.status !== 'PENDING' || !ev.messageId) return { skipped: ev?.status ?? 'missing' };
    const others = await deps.db.evidence.findMany({ where: { reportId: ev.reportId, status: 'STORED' }, select: { data: true } });
    const used = others.reduce((a, o) => a + (o.data?.length ?? 0), 0);
    const room = Math.min(EVIDENCE_LIMITS.perFileBytes, EVIDENCE_LIMITS.perReportBytes - used);
    try {
      const got = await downloadEvidence(deps, { messageId: ev.messageId, kind: ev.kind === 'image' ? 'image' : 'file', key: ev.larkKey }, room);
      await deps.db.evidence.updateMany({ where: { id: ev.id, status: 'PENDING' }, data: { status: 'STORED', data: got.data, contentType: got.contentType, error: null } });
      log.info({ evidenceId, attempt }, 'evidence fetched on retry');
      return { stored: true };
    } catch (err) {
      const tooLarge = err instanceof EvidenceTooLarge;
      if (!finalAttempt && !tooLarge) throw err;
      const reason = tooLarge ? '超过了大小限制' : '飞书多次未能提供下载';
      await deps.db.evidence.update({ where: { id: ev.id }, data: { status: 'FAILED', error: `${reason}: ${String(err).slice(0, 500)}` } });
      const openId = ev.report.person.larkOpenId;
      if (openId && !ev.report.withdrawnAt) {
        await deps.messenger.text(
          { openId },
          `您为“${ev.report.obligation.title}”报告发送的${evidenceLabel(ev)}没能保存（${reason}）。报告本身已保存，但目前缺少这份佐证材料：请在那份报告的确认消息下“回复”，重新发送这个${ev.kind === 'image' ? '图片' : '文件'}。`,
          { purpose: 'evidence-failed', key: String(ev.id) },
        );
      }
      log.warn({ evidenceId, reason }, 'evidence kept failing; the reporter was told');
      return { failed: reason };
    }
  },
});
