import type { ChangeHub } from './change-hub.js';
import type { Figures } from './figures.js';
import type { InsightSource } from './insights-source.js';
import type { Reconciliations } from './reconciliation.js';
import type { Automations } from './automations.js';
import type { Clock, DeliveryRules, Lifecycle, OrderService, OrderStore, PricingRuleSet } from './orderkit/index.js';
import type { WechatPayKeys } from './orderkit/wechatpay.js';
import type { InventoryPort } from './orderkit/inventory.js';
import type { BalancePort } from './orderkit/balance.js';
import type { AddressBook } from './addresses.js';

/** WeChat Pay v3 notification settings; the route answers 503 NOT_CONFIGURED without them. */
export interface WechatPayConfig {
  mchid: string;
  appid?: string;
  apiV3Key: string;
  keys: WechatPayKeys;
}

/** Everything the routes share. */
export interface AppContext {
  service: OrderService;
  /** The lifecycle the service runs: its commands become the command routes and OpenAPI entries. */
  lifecycle: Lifecycle<string, { type: string }>;
  store: OrderStore;
  hub: ChangeHub;
  clock: Clock;
  /** The shop's pricing rules, validated and indexed once at start-up (not at every placement). */
  rules: PricingRuleSet;
  /** The delivery modes the checkout offers (docs/delivery.md). */
  deliveryRules: DeliveryRules;
  figures: Figures;
  /** Where the insights page's analyses come from (SQL twins on PostgreSQL, else the orders in memory). */
  insights: InsightSource;
  /** The DEMO payment and refund-result routes; off in anything real. */
  demoGateway: boolean;
  /**
   * DEMO mode (auth): a shopper's member level, points balance and coupons are believed as the
   * request states them. Outside it they are refused (catalog.ts `refuseShopperClaims`).
   */
  demo: boolean;
  wechatpay?: WechatPayConfig;
  /** The daily WeChat Pay reconciliation reports (dashboard and /reconciliation). */
  reconciliations: Reconciliations;
  /** The automatic actions (催付, 发货超时预警, 极速退款, anomaly alert) and what fired. */
  automations: Automations;
  log: (message: string, extra?: unknown) => void;
  /** The stock the service holds with each order (GET /stock/:sku); absent, that route answers 503. */
  inventory?: InventoryPort;
  /** The stored balance the service debits (余额, docs/payment-sources.md); absent, /balance answers 503. */
  balance?: BalancePort;
  /** Saved default addresses (POST /me/address). */
  addresses: AddressBook;
}
