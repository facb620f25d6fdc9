// Finding a unit by the name a user typed: exact, or a unique substring. Pure.

export type UnitMatch<U> = { kind: 'found'; unit: U } | { kind: 'none'; candidates: U[] } | { kind: 'ambiguous'; candidates: U[] };

const norm = (s: string) => s.replace(/\s+/g, '').toLowerCase();

/**
 * The unit named by `query` among `units`: exact name (or code) first, then the only name containing it.
 * None: `candidates` are units sharing a character with the query (up to `limit`), for a hint.
 */
export function matchUnit<U extends { name: string; code?: string }>(query: string, units: readonly U[], limit = 10): UnitMatch<U> {
  const q = norm(query);
  if (!q) return { kind: 'none', candidates: [] };
  const exact = units.find((u) => norm(u.name) === q || (u.code !== undefined && norm(u.code) === q));
  if (exact) return { kind: 'found', unit: exact };
  const partial = units.filter((u) => norm(u.name).includes(q));
  if (partial.length === 1) return { kind: 'found', unit: partial[0]! };
  if (partial.length > 1) return { kind: 'ambiguous', candidates: partial.slice(0, limit) };
  const chars = new Set([...q]);
  const near = units
    .map((u) => ({ u, score: [...new Set(norm(u.name))].filter((c) => chars.has(c)).length }))
    .filter((x) => x.score > 0)
    .sort((a, b) => b.score - a.score)
    .slice(0, limit)
    .map((x) => x.u);
  return { kind: 'none', candidates: near };
}
