/**
 * A forecast of daily orders and GMV (docs/analytics.md "Forecast"): additive Holt-Winters with a
 * weekly season, fitted per series by a grid search over the smoothing constants that minimises
 * the one-step-ahead squared error. Written here rather than taken from a library: the method is
 * forty lines, the libraries on npm that do it carry much more (matrix code, optimisers), and
 * this keeps the answer deterministic and equal on Node 16–22.
 */

export const SEASON = 7;
/** Two full weeks: one to start the season, one to fit the constants on. */
export const MIN_FORECAST_DAYS = 2 * SEASON;
const Z95 = 1.96;

export interface DailyValue {
  /** `yyyy-MM-dd` in the shop's zone, consecutive days. */
  date: string;
  orders: number;
  /** fen */
  gmv: number;
}

export interface ForecastPoint {
  date: string;
  /** The expected value and a 95 % band (never below 0). */
  orders: { value: number; low: number; high: number };
  gmv: { value: number; low: number; high: number };
}

export interface HoltWintersFit {
  alpha: number;
  beta: number;
  gamma: number;
  /** Root mean square of the one-step-ahead errors over the fitted part (after the first season). */
  rmse: number;
  /** `h`-step-ahead forecasts, h = 1 … horizon. */
  forecast: number[];
}

export type ForecastResult =
  | { ok: true; method: 'holt-winters-additive'; season: 7; basedOnDays: number; points: ForecastPoint[]; fit: { orders: HoltWintersFit; gmv: HoltWintersFit } }
  | { ok: false; reason: 'too_little_data'; days: number; needed: number; message: { 'zh-CN': string; en: string } };

const GRID_ALPHA = [0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9];
const GRID_BETA = [0, 0.02, 0.05, 0.1, 0.2];
const GRID_GAMMA = [0.05, 0.1, 0.2, 0.3, 0.5];

function run(y: readonly number[], alpha: number, beta: number, gamma: number, horizon: number): { sse: number; n: number; forecast: number[] } {
  const m = SEASON;
  const mean = (from: number) => y.slice(from, from + m).reduce((s, v) => s + v, 0) / m;
  // Start from the first season: the trend from the first two weekly means, the level at the
  // season's last day, and each weekday's offset from the de-trended line.
  let trend = y.length >= 2 * m ? (mean(m) - mean(0)) / m : 0;
  const centre = (m - 1) / 2;
  let level = mean(0) + trend * centre;
  const season = y.slice(0, m).map((v, i) => v - (mean(0) + trend * (i - centre)));
  let sse = 0;
  let n = 0;
  for (let t = m; t < y.length; t++) {
    const s = season[t % m]!;
    const predicted = level + trend + s;
    const err = y[t]! - predicted;
    sse += err * err;
    n++;
    const prevLevel = level;
    level = alpha * (y[t]! - s) + (1 - alpha) * (level + trend);
    trend = beta * (level - prevLevel) + (1 - beta) * trend;
    season[t % m] = gamma * (y[t]! - level) + (1 - gamma) * s;
  }
  const forecast: number[] = [];
  for (let h = 1; h <= horizon; h++) forecast.push(level + h * trend + season[(y.length + h - 1) % m]!);
  return { sse, n, forecast };
}

/**
 * Fits additive Holt-Winters (weekly season) to `y` and forecasts `horizon` steps. `y` needs at
 * least two seasons (14 values).
 *
 * @example
 * holtWinters([5, 6, 5, 7, 9, 14, 12, 6, 7, 6, 8, 10, 15, 13], 7).forecast.length // → 7
 */
export function holtWinters(y: readonly number[], horizon: number): HoltWintersFit {
  if (y.length < MIN_FORECAST_DAYS) throw new RangeError(`holtWinters needs at least ${MIN_FORECAST_DAYS} values, got ${y.length}`);
  let best: HoltWintersFit | null = null;
  let bestSse = Infinity;
  for (const alpha of GRID_ALPHA) {
    for (const beta of GRID_BETA) {
      for (const gamma of GRID_GAMMA) {
        const r = run(y, alpha, beta, gamma, horizon);
        if (r.sse < bestSse) {
          bestSse = r.sse;
          best = { alpha, beta, gamma, rmse: Math.sqrt(r.sse / Math.max(1, r.n)), forecast: r.forecast };
        }
      }
    }
  }
  return best!;
}

/** The calendar date after `date`, by date arithmetic. */
function nextDate(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/**
 * Band half-width at `h` steps: the one-step error scaled as the error of a local level grows,
 * √(1 + (h − 1)·α²) — the usual approximation for exponential smoothing, not an exact interval.
 */
function band(fit: HoltWintersFit, h: number): number {
  return Z95 * fit.rmse * Math.sqrt(1 + (h - 1) * fit.alpha * fit.alpha);
}

/**
 * Daily orders and GMV for the next `horizon` days (default 14) from a consecutive daily series
 * (e.g. `summarize(...).daily`, mapped to `{ date, orders: placed, gmv }`). With fewer than 14
 * days the answer says so instead of guessing.
 *
 * @example
 * const days: DailyValue[] = [{ date: '2026-11-01', orders: 31, gmv: 412_300 }]; // … 14 or more consecutive days
 * const f = forecastDaily(days);
 * if (f.ok) console.log(f.points[0]); // { date, orders: { value, low, high }, gmv: { value, low, high } }
 * else console.log(f.message.en);     // "a forecast needs at least 14 days of data, there are 9"
 */
export function forecastDaily(series: readonly DailyValue[], horizon = 14): ForecastResult {
  if (series.length < MIN_FORECAST_DAYS) {
    return {
      ok: false, reason: 'too_little_data', // an answer, not an error (docs/analytics.md "Forecast")
      days: series.length,
      needed: MIN_FORECAST_DAYS,
      message: {
        'zh-CN': `预测至少需要 ${MIN_FORECAST_DAYS} 天的数据，目前只有 ${series.length} 天`,
        en: `a forecast needs at least ${MIN_FORECAST_DAYS} days of data, there are ${series.length}`,
      },
    };
  }
  const orders = holtWinters(series.map((d) => d.orders), horizon);
  const gmv = holtWinters(series.map((d) => d.gmv), horizon);
  const last = series[series.length - 1]!.date;
  const clamp = (v: number) => Math.max(0, v);
  const points: ForecastPoint[] = [];
  for (let h = 1; h <= horizon; h++) {
    const o = orders.forecast[h - 1]!;
    const g = gmv.forecast[h - 1]!;
    const bo = band(orders, h);
    const bg = band(gmv, h);
    points.push({
      date: nextDate(last, h),
      orders: { value: Math.round(clamp(o) * 10) / 10, low: Math.round(clamp(o - bo) * 10) / 10, high: Math.round(clamp(o + bo) * 10) / 10 },
      gmv: { value: Math.round(clamp(g)), low: Math.round(clamp(g - bg)), high: Math.round(clamp(g + bg)) },
    });
  }
  return { ok: true, method: 'holt-winters-additive', season: 7, basedOnDays: series.length, points, fit: { orders, gmv } };
}

/** Seasonal naive: each of the next `horizon` days repeats the same weekday of the last week. */
export function seasonalNaive(y: readonly number[], horizon: number): number[] {
  const out: number[] = [];
  for (let h = 1; h <= horizon; h++) out.push(y[y.length - SEASON + ((h - 1) % SEASON)]!);
  return out;
}

/** Symmetric mean absolute percentage error, 0–2 (a pair of zeros counts as no error). */
export function smape(actual: readonly number[], forecast: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!;
    const f = forecast[i]!;
    const d = Math.abs(a) + Math.abs(f);
    sum += d === 0 ? 0 : (2 * Math.abs(f - a)) / d;
  }
  return actual.length === 0 ? 0 : sum / actual.length;
}
