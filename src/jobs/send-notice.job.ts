import { z } from 'zod';
import { NOTICE_READS_JOB, refreshAllReads } from '../notices/reads.js';
import { chaseNoticeTo, CHASE_NOTICE_JOB, sendNoticeTo, SEND_NOTICE_JOB } from '../notices/service.js';
import { defineJob } from './job.js';

const ids = { noticeId: z.number().int().positive(), personId: z.number().int().positive() };

/** One notice card to one recipient. Enqueued on 确认发送 with the id notice-<noticeId>-<personId>. */
export const sendNoticeJob = defineJob({
  name: SEND_NOTICE_JOB,
  schema: z.object(ids),
  async run({ noticeId, personId }, { deps, log, finalAttempt }) {
    const out = await sendNoticeTo(deps, noticeId, personId, { finalAttempt });
    log.info({ noticeId, personId, ...out }, 'notice send');
    return out;
  },
});

/** One 催办 reminder to one non-acknowledger, buzzed when `urgent` (id notice-chase-<noticeId>-<personId>[-urgent]). */
export const chaseNoticeJob = defineJob({
  name: CHASE_NOTICE_JOB,
  schema: z.object({ ...ids, urgent: z.boolean().default(false) }),
  async run({ noticeId, personId, urgent }, { deps, log }) {
    const out = await chaseNoticeTo(deps, noticeId, personId, { urgent });
    log.info({ noticeId, personId, ...out }, 'notice chase');
    return out;
  },
});

/** read_users for every unread card of a notice, paced (id notice-reads-<noticeId>-<ten-minute slot>). */
export const noticeReadsJob = defineJob({
  name: NOTICE_READS_JOB,
  schema: z.object({ noticeId: ids.noticeId }),
  async run({ noticeId }, { deps, log }) {
    const found = await refreshAllReads(deps, noticeId);
    log.info({ noticeId, found }, 'notice reads refreshed');
    return { found };
  },
});
