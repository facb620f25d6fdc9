import { fetchEvidenceJob } from './fetch-evidence.job.js';
import { handleEventJob } from './handle-event.job.js';
import type { JobDef } from './job.js';
import { recoverInboundJob } from './recover-inbound.job.js';
import { recoverNoticesJob } from './recover-notices.job.js';
import { chaseNoticeJob, noticeReadsJob, sendNoticeJob } from './send-notice.job.js';
import { sendReminderJob } from './send-reminder.job.js';

/** The job table: one file per job. The worker dispatches by name; cron jobs are scheduled at start. */
export const JOBS: readonly JobDef<any>[] = [handleEventJob, recoverInboundJob, recoverNoticesJob, sendReminderJob, sendNoticeJob, chaseNoticeJob, noticeReadsJob, fetchEvidenceJob];
