/**
 * orderkit/analytics: the shop's figures from its orders — counts, funnel, money, rates, stage
 * durations, a daily series, top SKUs — and the bottleneck report. Pure functions over orders;
 * `summarizeSql` in orderkit/postgres computes the same summary inside PostgreSQL.
 */
export { summarize } from './summarize.js';
export { dailySeries } from './daily-series.js';
export { bottlenecks } from './bottlenecks.js';
export type { BottleneckOptions, BottleneckReport, SlaBreach, StageReport } from './bottlenecks.js';
export { parseSummaryOptions } from './options.js';
export { orderFacts } from './order-facts.js';
export type { OrderFacts } from './order-facts.js';
export { stageSpan } from './stage-durations.js';
export { buildFunnel } from './funnel.js';
export { nearestRank, toDurationFigures, DURATION_FIGURES } from './percentiles.js';
export { ratio, divideRounded } from './rounding.js';
export { calendarDays, MAX_SERIES_DAYS } from './calendar-days.js';
export type { CalendarDays } from './calendar-days.js';
export { countTransitions } from './transitions.js';
export { parseIsoTime } from './iso-time.js';
export { STAGES, FUNNEL_STEPS, PERCENTILES } from './types.js';
export type {
  Stage,
  FunnelStepName,
  SummaryOptions,
  Summary,
  FunnelStep,
  Revenue,
  Rates,
  StageDuration,
  DailyPoint,
  TopSku,
  TransitionCount,
} from './types.js';
export {
  breakdown,
  trend,
  customers,
  cohorts,
  heatmap,
  topSkusBySegment,
  skuPairs,
  refunds,
  couponEffect,
  parseInsightQuery,
  checkInsightOptions,
  previousPeriod,
  InsightQuerySchema,
} from './insights.js';
export type { ParsedInsightQuery } from './insights.js';
export { INSIGHT_DIMENSIONS, COHORT_PERIODS } from './insight-types.js';
export type {
  InsightDimension,
  CohortPeriod,
  InsightFilter,
  InsightOptions,
  CustomerReport,
  Cohort,
  CohortReport,
  Totals,
  BreakdownRow,
  Breakdown,
  Change,
  Trend,
  Heatmap,
  SegmentSkus,
  SegmentTopSkus,
  SkuPair,
  PairReport,
  RefundReason,
  SkuRefundRate,
  RefundReport,
  CouponReport,
} from './insight-types.js';
export { forecastDaily, holtWinters, seasonalNaive, smape, MIN_FORECAST_DAYS } from './forecast.js';
export type { DailyValue, ForecastPoint, ForecastResult, HoltWintersFit } from './forecast.js';
export { openBreaches } from './open-breaches.js';
export type { OpenBreachOptions, OpenBreachReport } from './open-breaches.js';
export { pastBreaches } from './past-breaches.js';
export type { PastBreachOptions, PastBreachReport } from './past-breaches.js';
export {
  dueAutomations,
  runAutomations,
  customerHistory,
  automationKey,
  automationEffect,
  firedOn,
  detectAnomalies,
  sendAnomalyAlerts,
  emitAnomalyAlerts,
  anomalyEffect,
  SHOP_EFFECTS_ID,
  memoryAlertLedger,
  AUTOMATION_RULES,
  AUTOMATION_EVENT,
  AUTOMATION_ACTOR,
} from './automations.js';
export type {
  AutomationRule,
  Bilingual,
  CustomerHistory,
  DueAutomation,
  FiredAutomation,
  AutomationRunReport,
  AutomationRunOptions,
  DayFigures,
  AnomalyMetric,
  AnomalyAlert,
  AnomalyCheck,
  AlertLedger,
} from './automations.js';
export type { AutomationPolicy } from '../order/policy.js';
export { ordersBehind, parseFigure, FIGURES } from './drill.js';
export type { Figure, DrillRow, DrillReport } from './drill.js';
