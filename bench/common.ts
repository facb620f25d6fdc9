// Shared by the benchmarks that run the bot against bench/sandbox-child.ts.

/** The line bench/sandbox-child.ts prints: its credentials and the user messages it registered. */
export interface SandboxInfo {
  appId: string;
  appSecret: string;
  encryptKey: string;
  verificationToken: string;
  baseUrl: string;
  messages: { from: string; text: string; chatId: string; messageId: string }[];
}

/** The p-th percentile of ascending `sorted` (nearest rank). */
export function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
