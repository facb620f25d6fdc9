import { z } from 'zod';
import { sendDigest } from '../reminders/send.js';
import { SEND_REMINDER_JOB } from '../reminders/tick.js';
import { metrics } from '../metrics.js';
import { defineJob } from './job.js';

/**
 * Send one claimed reminder digest (one card to one person for one day). Enqueued by the reminder
 * tick with the id reminder-<kind>-<recipientId>-<yyyymmdd>; safe to run twice (see src/reminders/send.ts).
 */
export const sendReminderJob = defineJob({
  name: SEND_REMINDER_JOB,
  schema: z.object({ digestId: z.number().int().positive() }),
  async run({ digestId }, { deps, log }) {
    const out = await sendDigest(deps, digestId);
    metrics.digest(out.status);
    if (out.status === 'sent') log.info({ digestId, messageId: out.messageId, items: out.items, urgent: out.urgent }, 'reminder card sent');
    return out;
  },
});
