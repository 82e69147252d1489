export { PostgresOrderStore } from './store.js';
export type { PostgresOrderStoreOptions } from './store.js';
export type { CommitBatcherOptions } from './commit-batcher.js';
export { migrate, migrationChecksum } from './migrate.js';
export type { MigrateOptions, MigrateResult } from './migrate.js';
export { MIGRATIONS } from './migrations.js';
export type { Migration } from './migrations.js';
export { toSqlDriver } from './driver.js';
export { summarizeSql, bottlenecksSql, migrateAnalytics, rebuildAnalyticsSegments, compactAnalytics, type SummarizeSqlOptions, type AnalyticsSqlOptions, type MigrateAnalyticsOptions, type CompactResult } from './analytics-sql.js';
export type {
  SqlDriver,
  SqlExecutor,
  SqlTransaction,
  SqlRows,
  PgPoolLike,
  PgNamedQuery,
  PgPoolClientLike,
  PGliteLike,
  PostgresDatabase,
} from './driver.js';
export { PostgresInventory, migrateInventory } from './inventory.js';
export type { PostgresInventoryOptions } from './inventory.js';
export { PostgresBalance, migrateBalance } from './balance.js';
export type { PostgresBalanceOptions } from './balance.js';
export {
  breakdownSql,
  trendSql,
  customersSql,
  cohortsSql,
  heatmapSql,
  topSkusBySegmentSql,
  skuPairsSql,
  refundsSql,
  couponEffectSql,
} from './analytics-insights-sql.js';
export type { InsightSqlOptions } from './analytics-insights-sql.js';
export { dailySeriesSql } from './analytics-daily-sql.js';
export { ordersBehindSql } from './analytics-drill-sql.js';
export { openBreachesSql, type OpenBreachSqlOptions } from './analytics-open-breaches-sql.js';
export { pastBreachesSql, type PastBreachSqlOptions } from './analytics-past-breaches-sql.js';
