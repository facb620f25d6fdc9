// GET /metrics after real traffic: an answered message, a refused webhook request, a reminder tick that
// sends cards; and /healthz's live and ready answers.

import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { botReply, signedRequest, startTestBot, type TestBot } from '../helpers/bot.js';
import { serverUrl } from '../helpers/db.js';
import { DEMO_USERS, seedDistrict } from '../helpers/district.js';

/** Prometheus text format → { 'name{labels}': value }. */
function parse(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = line.match(/^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?) (\S+)$/);
    if (!m) throw new Error(`not Prometheus text: ${line}`);
    out.set(m[1]!, Number(m[2]));
  }
  return out;
}

describe('metrics and health', () => {
  let bot: TestBot;
  let base: string;
  const now = new Date('2026-11-24T10:00:00+08:00'); // a working Tuesday, in working hours

  beforeAll(async () => {
    bot = await startTestBot({ mode: 'webhook', clock: () => now, sandbox: { users: DEMO_USERS }, reminderCron: true, reminderCronPattern: '*/2 * * * * *' });
    await seedDistrict(bot.db.prisma, 2026, new Date('2026-10-20T09:00:00+08:00'));
    base = `http://127.0.0.1:${bot.app.port}`;
  });
  afterAll(async () => bot?.close());

  const scrape = async () => {
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    return parse(await res.text());
  };

  it('counts a real event, its ack time, the reply sent, a refused request, and the reminder tick', async () => {
    await botReply(bot, DEMO_USERS[0]!.openId, '/帮助');
    const forged = signedRequest({ schema: '2.0', header: { event_type: 'im.message.receive_v1' } }, 'not-the-encrypt-key');
    const bad = await fetch(bot.webhookUrl, { method: 'POST', body: forged.body, headers: forged.headers });
    expect(bad.status).toBe(401);
    // Wait until the event's job has finished and a tick has sent its cards (the district has duties due).
    const until = Date.now() + 30_000;
    const settled = (m: Map<string, number>) =>
      (m.get('dangjian_reminder_digests_total{outcome="sent"}') ?? 0) > 0 && (m.get('dangjian_jobs_total{job="handle-event",outcome="completed"}') ?? 0) > 0;
    let m = await scrape();
    while (!settled(m) && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 500));
      m = await scrape();
    }
    expect(m.get('dangjian_events_total{outcome="queued"}')).toBeGreaterThanOrEqual(1);
    expect(m.get('dangjian_event_ack_seconds_count{transport="webhook"}')).toBeGreaterThanOrEqual(2);
    expect(m.get('dangjian_webhook_rejected_total{reason="bad_signature"}')).toBe(1);
    expect(m.get('dangjian_lark_sends_total{outcome="ok"}')).toBeGreaterThanOrEqual(2);
    expect(m.get('dangjian_jobs_total{job="handle-event",outcome="completed"}')).toBeGreaterThanOrEqual(1);
    expect(m.get('dangjian_reminder_digests_total{outcome="claimed"}')).toBeGreaterThanOrEqual(1);
    expect(m.get('dangjian_reminder_digests_total{outcome="sent"}')).toBeGreaterThanOrEqual(1);
    expect(m.get('dangjian_reminder_tick_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(m.get('dangjian_reminder_tick_last_timestamp_seconds')).toBeGreaterThan(Date.now() / 1000 - 60);
    expect(m.get('dangjian_pacer_wait_seconds_count')).toBeGreaterThanOrEqual(2);
    expect(m.get('dangjian_reminder_stuck_claims')).toBe(0);
    expect(m.has('dangjian_queue_jobs{state="waiting"}')).toBe(true);
    expect(m.get('dangjian_process_resident_memory_bytes')).toBeGreaterThan(0);
  }, 60_000);

  it('/healthz/live answers while the process serves; /healthz/ready (and /healthz) checks database, queue and Lark and says what is wrong', async () => {
    expect((await fetch(`${base}/healthz/live`)).status).toBe(200);
    const ready = await fetch(`${base}/healthz/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ ok: true, checks: { database: { ok: true }, queue: { ok: true }, lark: { ok: true } } });
    // The database refuses connections: not ready, and the answer names the database; still live.
    const name = new URL(bot.db.url).pathname.slice(1);
    const admin = new pg.Client({ connectionString: serverUrl() });
    await admin.connect();
    try {
      await admin.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS false`);
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [name]);
      const down = await fetch(`${base}/healthz`);
      expect(down.status).toBe(503);
      const body = (await down.json()) as { ok: boolean; checks: Record<string, { ok: boolean; error?: string }> };
      expect(body.ok).toBe(false);
      expect(body.checks.database!.ok).toBe(false);
      expect(body.checks.database!.error).toBeTruthy();
      expect(body.checks.queue!.ok).toBe(true);
      expect((await fetch(`${base}/healthz/live`)).status).toBe(200);
    } finally {
      await admin.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS true`);
      await admin.end();
    }
    expect((await fetch(`${base}/healthz/ready`)).status).toBe(200);
  }, 30_000);
});
