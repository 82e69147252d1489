/**
 * A moment as the shop's wall-clock time, `yyyy-MM-dd HH:mm` in `timeZone` (never the host's zone:
 * a cloud function runs in UTC while the shop lives in Asia/Shanghai). Views and the messages of
 * errors both print times through here, so a shopper reads "已于 2026-03-08 10:00 截止" rather
 * than a UTC ISO string. Built on `Intl.DateTimeFormat` (full ICU ships with every Node ≥ 13), one
 * formatter per zone, kept.
 *
 * An unknown zone or an invalid moment gives the ISO text back instead of throwing: this runs
 * while an error message is being written, which must never fail itself.
 *
 * @example
 * shopTime('2026-11-25T04:00:00.000Z', 'Asia/Shanghai') // → '2026-11-25 12:00'
 */
export function shopTime(at: string | number | Date, timeZone: string): string {
  const date = at instanceof Date ? at : new Date(at);
  const ms = date.getTime();
  if (ms !== ms) return String(at);
  let format = formats.get(timeZone);
  try {
    if (format === undefined) {
      format = new Intl.DateTimeFormat('en-US', {
        timeZone,
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
      });
      formats.set(timeZone, format);
    }
  } catch {
    return date.toISOString();
  }
  const p: Record<string, string> = {};
  for (const part of format.formatToParts(date)) p[part.type] = part.value;
  const year = (p.year ?? '').padStart(4, '0');
  // Some ICU versions still say "24" for midnight despite h23.
  const hour = p.hour === '24' ? '00' : p.hour;
  return `${year}-${p.month}-${p.day} ${hour}:${p.minute}`;
}

const formats = new Map<string, Intl.DateTimeFormat>();
