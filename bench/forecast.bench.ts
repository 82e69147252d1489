/**
 * `npm run bench -- forecast`: a backtest of the daily forecast (additive Holt-Winters with a
 * weekly season, src/analytics/forecast.ts) against the seasonal-naive baseline (the same weekday
 * of the last week), by sMAPE over the 14 days after each of three forecast origins, on two series:
 * the Express example's demo shop (its seeder's plan: a rising trend, busier weekends) and a
 * synthetic series with a steep trend, weekly season and noise. Reported as measured.
 */
import { forecastDaily, seasonalNaive, smape, type DailyValue } from '../src/analytics/forecast.js';
import { PRODUCTS } from '../examples/express/src/catalog.js';
import { seededRandom } from '../examples/express/src/demo/random.js';
import { planMonth } from '../examples/express/src/demo/scenario.js';
import { table, writeSection } from './report.js';

const DAY = 86_400_000;
const HORIZON = 14;

function demoSeries(days: number): DailyValue[] {
  const end = Date.parse('2026-11-30T16:00:00Z'); // midnight in Shanghai
  const start = end - days * DAY;
  let n = 0;
  const { orders } = planMonth(seededRandom(42), end, days, () => `o${n++}`);
  const price = new Map(PRODUCTS.map((p) => [p.sku, p.listPrice]));
  const out: DailyValue[] = Array.from({ length: days }, (_, i) => ({ date: new Date(start + 8 * 3_600_000 + i * DAY).toISOString().slice(0, 10), orders: 0, gmv: 0 }));
  for (const o of orders) {
    const d = out[Math.floor((o.placedAt - start) / DAY)]!;
    d.orders++;
    d.gmv += o.items.reduce((s, it) => s + (price.get(it.sku) ?? 0) * it.quantity, 0);
  }
  return out;
}

function syntheticSeries(days: number): DailyValue[] {
  const rand = seededRandom(7);
  const weekly = [0.9, 0.85, 0.9, 0.95, 1.05, 1.3, 1.25];
  return Array.from({ length: days }, (_, t) => {
    const orders = Math.max(0, Math.round((40 + 1.5 * t) * weekly[t % 7]! + (rand.next() - 0.5) * 16));
    return { date: new Date(Date.UTC(2026, 8, 1 + t)).toISOString().slice(0, 10), orders, gmv: orders * (9000 + Math.round(rand.next() * 2000)) };
  });
}

function backtest(series: DailyValue[]): { hw: { orders: number; gmv: number }; naive: { orders: number; gmv: number }; origins: number } {
  const acc = { hw: { orders: 0, gmv: 0 }, naive: { orders: 0, gmv: 0 } };
  const origins = [series.length - HORIZON - 14, series.length - HORIZON - 7, series.length - HORIZON];
  for (const origin of origins) {
    const train = series.slice(0, origin);
    const test = series.slice(origin, origin + HORIZON);
    const f = forecastDaily(train, HORIZON);
    if (!f.ok) throw new Error(f.message.en);
    for (const k of ['orders', 'gmv'] as const) {
      acc.hw[k] += smape(test.map((d) => d[k]), f.points.map((p) => p[k].value)) / origins.length;
      acc.naive[k] += smape(test.map((d) => d[k]), seasonalNaive(train.map((d) => d[k]), HORIZON)) / origins.length;
    }
  }
  return { ...acc, origins: origins.length };
}

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
const rows: string[][] = [];
const lines: string[] = [];
for (const [name, series] of [
  ['demo shop (Express seeder plan, 70 days)', demoSeries(70)],
  ['synthetic: trend +1.5 orders/day, weekly season, noise (84 days)', syntheticSeries(84)],
] as const) {
  const r = backtest([...series]);
  for (const k of ['orders', 'gmv'] as const) {
    const wins = r.hw[k] < r.naive[k];
    rows.push([name, k, pct(r.hw[k]), pct(r.naive[k]), wins ? 'Holt-Winters' : '**seasonal naive**']);
    lines.push(`${name} / ${k}: Holt-Winters ${pct(r.hw[k])} vs seasonal naive ${pct(r.naive[k])}`);
  }
}
const markdown = `## Forecast backtest: Holt-Winters against seasonal naive

\`npm run bench -- forecast\`. sMAPE (0–200 %, lower is better) of the 14 days after each of 3 forecast origins
(the series' end minus 14, 7 and 0 days before the last 14), averaged; the model is fitted on the days before each origin only.
Baseline: seasonal naive (each day repeats the same weekday of the last observed week), computed in the same run.

${table(['series', 'figure', 'Holt-Winters (additive, weekly)', 'seasonal naive', 'better'], rows)}
`;
console.log(markdown);
console.log(lines.join('\n'));
writeSection('forecast', markdown);
