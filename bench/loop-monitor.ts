// Preloaded into the bot by `bench/webhook-ack.ts --profile` (node --import): its event-loop delay.
// On SIGUSR2 the process writes one JSON line { pid, loop: { p50, p99, max } } (ms, since the last
// SIGUSR2) to stderr and starts a new histogram.
import { monitorEventLoopDelay } from 'node:perf_hooks';

const h = monitorEventLoopDelay({ resolution: 5 });
h.enable();
process.on('SIGUSR2', () => {
  const ms = (ns: number) => Math.round(ns / 1e4) / 100;
  process.stderr.write(`${JSON.stringify({ pid: process.pid, loop: { p50: ms(h.percentile(50)), p99: ms(h.percentile(99)), max: ms(h.max) } })}\n`);
  h.reset();
});
