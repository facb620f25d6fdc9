import { z } from 'zod';
import { chaseNoticeTo, CHASE_NOTICE_JOB, sendNoticeTo, SEND_NOTICE_JOB } from '../notices/service.js';
import { defineJob } from './job.js';

/** One notice card to one recipient. Enqueued on 确认发送 with the id notice-<noticeId>-<personId>. */
export const sendNoticeJob = defineJob({
  name: SEND_NOTICE_JOB,
  schema: z.object({ noticeId: z.number().int().positive(), personId: z.number().int().positive() }),
  async run({ noticeId, personId }, { deps, log, finalAttempt }) {
    const out = await sendNoticeTo(deps, noticeId, personId, { finalAttempt });
    log.info({ noticeId, personId, ...out }, 'notice send');
    return out;
  },
});

/** One 催办 reminder to one non-acknowledger (id notice-chase-<noticeId>-<personId>). */
export const chaseNoticeJob = defineJob({
  name: CHASE_NOTICE_JOB,
  schema: z.object({ noticeId: z.number().int().positive(), personId: z.number().int().positive() }),
  async run({ noticeId, personId }, { deps, log }) {
    const out = await chaseNoticeTo(deps, noticeId, personId);
    log.info({ noticeId, personId, ...out }, 'notice chase');
    return out;
  },
});
