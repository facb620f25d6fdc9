// Numbers as officials type them: Arabic digits (half- or full-width) and Chinese numerals
// (十五, 二十三, 两, 一百零二). Pure.

/** Regex source for one number, Arabic or Chinese. */
export const NUMERAL = String.raw`\d+|[零〇一二两三四五六七八九十百千]+`;

const DIGITS: Record<string, number> = { 零: 0, 〇: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };
const UNITS: Record<string, number> = { 十: 10, 百: 100, 千: 1000 };

/** The value of an Arabic or Chinese numeral below 10000, or null if it is not one. */
export function parseNumeral(s: string): number | null {
  if (/^\d+$/.test(s)) return Number(s);
  if (s === '') return null;
  let total = 0;
  let digit: number | null = null;
  for (const ch of s) {
    const d = DIGITS[ch];
    const u = UNITS[ch];
    if (d !== undefined) {
      if (digit !== null && digit !== 0 && d !== 0) return null; // '一二' is not a number
      digit = d;
    } else if (u !== undefined) {
      total += (digit ?? 1) * u; // '十五': a leading 十 means 一十
      digit = null;
    } else {
      return null;
    }
  }
  return total + (digit ?? 0);
}

/** Full-width digits and spaces to half-width, one character for one, so indexes stay valid. */
export function toHalfWidth(text: string): string {
  return text.replace(/[０-９]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)).replace(/\u3000/g, ' ');
}
