// Plain-Chinese questions the bot answers without a command. Small and pure on purpose.

export type Question = 'todo' | 'units_without_meeting' | 'missing_liaison_visit';

const PATTERNS: ReadonlyArray<[Question, RegExp]> = [
  ['todo', /^(我(还)?有(什么|哪些|啥)(事|工作|任务|责任)?(还)?没(有)?(完成|做|办)|我的待办|我还有哪些(没|未)完成|还有(什么|哪些)(没|未)完成|我的(党建)?责任(还)?有(什么|哪些)没完成)/],
  ['units_without_meeting', /(哪些|哪个|什么)单位.*(本季度|这个季度|这季度).*(没|未)(开|召开).*(例会|工作会议|党建工作会)/],
  ['missing_liaison_visit', /(这个月|本月|这月).*谁.*(没|未)(去|到).*联系点|谁.*(这个月|本月|这月).*(没|未)(去|到).*联系点/],
];

/** The question `text` asks, or null. Punctuation, spaces and a trailing 吗/呢 are ignored. */
export function matchQuestion(text: string): Question | null {
  const t = text.replace(/[\s？?！!。，,、：:]/g, '').replace(/[吗呢啊呀]+$/, '');
  if (!t) return null;
  for (const [q, re] of PATTERNS) if (re.test(t)) return q;
  return null;
}
