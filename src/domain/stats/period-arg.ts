// The period a statistics question is about: 本月, 本季度, 本年, or a key like 2026-Q3, 2026-11, 2026. Pure.
import { AppError } from '../../errors.js';
import { periodByKey, periodOf, type Period } from '../duties/periods.js';

/**
 * The period named by `arg` at `now` (Beijing time). Empty means 本年.
 * Throws AppError('bad_input') with a Chinese hint for anything else.
 */
export function parseStatsPeriod(arg: string, now: Date): Period {
  const a = arg.trim().replace(/\s+/g, '');
  if (a === '本季度' || a === '本季' || a === '这个季度') return periodOf('quarter', now);
  if (a === '本月' || a === '这个月') return periodOf('month', now);
  if (a === '' || a === '本年' || a === '今年' || a === '全年' || a === '本年度') return periodOf('year', now);
  const key = a.toUpperCase();
  if (/^\d{4}(-(\d{2}|Q\d|H\d))?$/.test(key)) return periodByKey(key);
  throw new AppError('bad_input', `无法识别的统计周期：${arg.trim()}（可用：本月、本季度、本年、2026-Q3、2026-11、2026）`);
}
