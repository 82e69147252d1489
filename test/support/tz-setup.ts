/**
 * For the time-zone projects of vitest.config.ts: the worker must really run in the zone the
 * project names (Node applies `process.env.TZ` when it is set), or the rerun would prove nothing.
 */
const wanted = process.env.TZ;
const actual = Intl.DateTimeFormat().resolvedOptions().timeZone;
const offsets: Record<string, number> = { UTC: 0, 'America/New_York': 300 };
if (!wanted || actual !== wanted || (wanted in offsets && new Date(2026, 0, 15).getTimezoneOffset() !== offsets[wanted])) {
  throw new Error(`time-zone project: wanted TZ=${wanted}, the worker runs in ${actual} (offset ${new Date(2026, 0, 15).getTimezoneOffset()})`);
}
