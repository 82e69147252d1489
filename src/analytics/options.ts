import * as z from '../zod.js';
import { OrderkitError } from '../errors/orderkit-error.js';
import { errorFromZod } from '../errors/zod-issues.js';
import { MAX_SERIES_DAYS } from './calendar-days.js';
import { ok, fail, type Result } from '../errors/result.js';

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/**
 * What a report request may carry over HTTP or from a cloud-function event: ISO timestamps or
 * epoch milliseconds, an IANA zone. `parseSummaryOptions` turns it into `SummaryOptions`.
 */
export const SummaryOptionsSchema = z.lazySchema(() => z.strictObject({
  from: z.coerce.date(),
  to: z.coerce.date(),
  timeZone: z.string().check(z.minLength(1), z.maxLength(64), z.refine(isTimeZone, { message: 'unknown IANA time zone' })),
  topSkuLimit: z.optional(z.coerce.number().check(z.int(), z.minimum(0), z.maximum(100))),
}));

const DAY = 86_400_000;

function invalid(path: string, zh: string, en: string): OrderkitError {
  return new OrderkitError({ code: 'INVALID_ANALYTICS_OPTIONS', message: { 'zh-CN': zh, en }, path: [path] });
}

/** The range rules every report shares; null when fine. */
export function checkRange(from: Date, to: Date, timeZone: string): OrderkitError | null {
  if (!(from instanceof Date) || Number.isNaN(from.getTime())) return invalid('from', '起始时间无效', 'from is not a valid date');
  if (!(to instanceof Date) || Number.isNaN(to.getTime())) return invalid('to', '结束时间无效', 'to is not a valid date');
  if (to.getTime() <= from.getTime()) return invalid('to', '结束时间必须晚于起始时间', 'to must be after from');
  if (to.getTime() - from.getTime() > (MAX_SERIES_DAYS - 2) * DAY) {
    return invalid('to', `统计区间最长 ${MAX_SERIES_DAYS - 2} 天`, `the range may span at most ${MAX_SERIES_DAYS - 2} days`);
  }
  return checkTimeZone(timeZone);
}

/** The zone rule every report and the analytics migration share; null when fine. */
export function checkTimeZone(timeZone: unknown): OrderkitError | null {
  if (typeof timeZone !== 'string' || !isTimeZone(timeZone)) {
    return invalid('timeZone', '未知的时区（应为 IANA 名称，如 Asia/Shanghai）', 'unknown time zone (use an IANA name such as Asia/Shanghai)');
  }
  return null;
}

/**
 * Checks untrusted report options (a query string, an event) and returns typed ones, or
 * `INVALID_ANALYTICS_OPTIONS` with the path of the problem. Never throws.
 *
 * @example
 * const r = parseSummaryOptions({ from: '2026-11-01T00:00:00+08:00', to: '2026-12-01T00:00:00+08:00', timeZone: 'Asia/Shanghai' });
 * if (r.ok) console.log(summarize(orders, r.options).funnel);
 */
export function parseSummaryOptions(
  input: unknown,
): Result<{ options: { from: Date; to: Date; timeZone: string; topSkuLimit?: number } }> {
  const parsed = SummaryOptionsSchema.safeParse(input);
  if (!parsed.success) {
    return fail(errorFromZod('INVALID_ANALYTICS_OPTIONS', { 'zh-CN': '统计参数不正确', en: 'invalid report options' }, parsed.error));
  }
  const problem = checkRange(parsed.data.from, parsed.data.to, parsed.data.timeZone);
  if (problem) return fail(problem);
  const options: { from: Date; to: Date; timeZone: string; topSkuLimit?: number } = {
    from: parsed.data.from,
    to: parsed.data.to,
    timeZone: parsed.data.timeZone,
  };
  if (parsed.data.topSkuLimit !== undefined) options.topSkuLimit = parsed.data.topSkuLimit;
  return ok({ options });
}

/** Throws the range problem, for the functions whose options are the programmer's, not a user's. */
export function assertRange(from: Date, to: Date, timeZone: string): void {
  const problem = checkRange(from, to, timeZone);
  if (problem) throw problem;
}
