import type { DeliveryView } from './delivery-view.js';
import type { LocalizedText } from '../errors/orderkit-error.js';
import type { Policy } from '../order/policy.js';
import type { TransitionContext } from '../lifecycle/types.js';
import type {
  Actor,
  AfterSaleKind,
  AfterSaleStatus,
  CloseReason,
  CommandType,
  DiscountSource,
  LogisticsType,
  Order,
  OrderStatus,
  Refund,
  RefundStatus,
} from '../order/index.js';
import type { MoneyView, ViewLocale } from './format.js';
import type { ActionDefinition, ActionKey } from './labels.js';

/**
 * The two questions a view asks the lifecycle. The default is orderkit's own lifecycle; pass the
 * result of `createLifecycle()` when the shop added a state, so that its buttons follow it too.
 */
export interface ViewLifecycle {
  allowedActions(order: Order, actor: Actor, now: Date, policy?: Policy): readonly string[];
  /** Used for dry runs only: the view reads `ok`, the resulting paid amount and the effect types. */
  transition(order: Order, command: any, ctx: TransitionContext): ViewTransitionResult;
  /** The lifecycle's buttons (`createLifecycle` derives them from its commands); default `ACTIONS`. */
  buttons?: readonly ActionDefinition[];
  /** Labels of every status the lifecycle has (its own included). */
  statusLabels?: Readonly<Record<string, LocalizedText>>;
}

/** The part of a transition result a view reads (any lifecycle's result has it). */
export type ViewTransitionResult =
  | { ok: true; order: { payment: { paidAmount: number } }; effects: ReadonlyArray<{ type: string }> }
  | { ok: false };

export interface ViewOptions {
  /** Who looks at the order: the buttons are the ones this actor may press now. */
  actor: Actor;
  /** The moment the view is for (countdowns and windows are measured from it). */
  now: Date;
  /** Default `defaultPolicy`; its `timeZone` formats the times. */
  policy?: Policy;
  /** Language of every `label`; default 'zh-CN'. */
  locale?: ViewLocale;
  lifecycle?: ViewLifecycle;
  /**
   * The button table. Default: the lifecycle's own buttons (a command's `button`, so a shop's
   * own command brings its button with it), else `ACTIONS`.
   */
  actions?: readonly ActionDefinition[];
  /** Labels of statuses an extended chart added, or the shop's own wording, over orderkit's. */
  statusLabels?: Readonly<Record<string, LocalizedText>>;
}

/** A button a page shows. Pages render exactly these, and never decide by status themselves. */
export interface ActionButton {
  key: ActionKey | (string & {});
  /** The command it leads to, or null for a button that only shows something (查看物流). */
  command: CommandType | (string & {}) | null;
  label: string;
  labels: LocalizedText;
  primary: boolean;
  /** Set on buttons of one after-sale. */
  afterSaleId?: string;
}

/** A deadline that is running: where it ends and how long is left at the view's `now`. */
export interface CountdownView {
  kind: 'payBy' | 'autoConfirmAt';
  label: string;
  /** ISO 8601 (UTC). */
  at: string;
  /** Shop time, 'yyyy-MM-dd HH:mm'. */
  atText: string;
  /** Milliseconds left at `now`, never below 0. */
  remainingMs: number;
  /**
   * The deadline as a sentence, for a place with no ticking clock (a list card): `今天 12:30 前付款`,
   * `12月3日 12:00 自动确认收货`; days relative to `now` in the shop's time zone.
   */
  deadlineText: string;
}

export interface AllocationView {
  source: DiscountSource;
  sourceLabel: string;
  sourceId: string;
  /** Positive lowers the price. */
  amount: MoneyView;
}

/** A line's money as a page shows it, on the checkout (quote) and on an order alike. */
export interface LineMoneyView {
  id: string;
  sku: string;
  title: string;
  image?: string;
  quantity: number;
  listPrice: MoneyView;
  unitPrice: MoneyView;
  subtotal: MoneyView;
  /** What this line costs after every discount: on an order, what was paid for it. */
  payable: MoneyView;
  allocations: AllocationView[];
}

export interface LineView extends LineMoneyView {
  /** Units of this line in shipments so far. */
  shippedQuantity: number;
  /** Units of this line in after-sales that have been refunded. */
  refundedQuantity: number;
  /** Units an after-sale may still ask for (ordered minus those already claimed). */
  refundableQuantity: number;
  /** Units that may still be sent back in a 退货退款 (shipped and not yet claimed). */
  returnableQuantity: number;
}

export interface AdjustmentView {
  id: string;
  source: DiscountSource | 'freight';
  sourceLabel: string;
  reason: string;
  /** The stored amount: positive lowers the total (a waived freight fee too), negative raises it. */
  amount: MoneyView;
  /** What a receipt prints: '-¥10.00' for a discount or a waiver, '+¥5.00' for a raise. */
  signedText: string;
}

export interface PricingView {
  itemsTotal: MoneyView;
  discountTotal: MoneyView;
  /** Freight charged (after any waiver). */
  freight: MoneyView;
  /** Freight before waivers: the receipt's 运费 row (itemsTotal − Σ adjustments + freightFee = total). */
  freightFee: MoneyView;
  pointsUsed: number;
  pointsDeduction: MoneyView;
  total: MoneyView;
  adjustments: AdjustmentView[];
}

export interface ShipmentView {
  id: string;
  logisticsType: LogisticsType;
  logisticsLabel: string;
  trackingNo?: string;
  expressCompany?: string;
  shippedAt: string;
  shippedAtText: string;
  deliveredAtText?: string;
  items: Array<{ lineId: string; title: string; quantity: number }>;
}

/** One payment source of an order paid from several (docs/payment-sources.md): what it paid and got back. */
export interface PaymentSourceView {
  kind: 'balance' | 'wechat';
  /** 余额 / 微信支付 (Balance / WeChat Pay). */
  label: string;
  paid: MoneyView;
  refunded: MoneyView;
  /** On its way back (pending refunds). */
  pending: MoneyView;
  /** True when the balance was given back because the order closed unpaid. */
  returned?: boolean;
}

export interface RefundView {
  id: string;
  amount: MoneyView;
  /** Where this refund goes back to, for an order paid from several sources. */
  routeLabel?: string;
  status: RefundStatus;
  statusLabel: string;
  reason: Refund['reason'];
  reasonLabel: string;
  afterSaleId?: string;
  createdAtText: string;
}

export interface AfterSaleView {
  id: string;
  /** The shopper's photos (cloud file ids or URLs), as stored; absent when none were attached. */
  photos?: string[];
  kind: AfterSaleKind;
  kindLabel: string;
  status: AfterSaleStatus;
  statusLabel: string;
  items: Array<{ lineId: string; title: string; quantity: number }>;
  /** Goods and shipping together, as quoted when it was requested. */
  amount: MoneyView;
  shippingAmount: MoneyView;
  reason: string;
  rejectReason?: string;
  returnShipment?: { trackingNo: string; expressCompany: string; shippedAtText: string };
  requestedAtText: string;
  actions: ActionButton[];
  /** 协商退款: the merchant's offer waiting for the shopper's answer (docs/after-sales.md "Negotiated refunds"). */
  openProposal?: { amount: MoneyView; note?: string; proposedAtText: string };
  /** Every offer and its answer, oldest first. */
  proposals?: Array<{ amount: MoneyView; status: 'pending' | 'accepted' | 'declined' | 'superseded'; note?: string; declineReason?: string }>;
  /**
   * The amount quoted at request time, when a negotiation, a return shipping fee or refunds made in
   * the merchant platform changed `amount`.
   */
  quotedAmount?: MoneyView;
  /**
   * Fen refunded for good for this after-sale, when any. A `cancelled` one with money back (a
   * merchant cancel closed it after part of its refund was paid) is labelled 部分退款 / Partly
   * refunded with this amount, not 已撤销 (docs/after-sales.md "Closing with after-sales open").
   */
  refunded?: MoneyView;
  /** 退运费: the return parcel's fee and whether it was refunded or deducted. */
  returnShippingFee?: { fee: MoneyView; treatment: 'refund' | 'deduct' };
  freightOnly?: true;
  /** 换货: the replacement SKUs and, once sent, the replacement parcel. */
  exchange?: { items: Array<{ lineId: string; quantity: number; sku: string }>; trackingNo?: string; expressCompany?: string };
}

export interface DeadlinesView {
  payBy?: string;
  payByText?: string;
  autoConfirmAt?: string;
  autoConfirmAtText?: string;
  afterSaleUntil?: string;
  afterSaleUntilText?: string;
}

/** Everything an order detail page shows, computed by orderkit's own rules. */
export interface OrderView {
  id: string;
  number: string;
  version: number;
  status: OrderStatus;
  statusLabel: string;
  closeReason?: CloseReason;
  closeReasonLabel?: string;
  lines: LineView[];
  pricing: PricingView;
  paid: MoneyView;
  refunded: MoneyView;
  address?: { name: string; phone: string; text: string };
  /** How the order reaches the shopper: the mode, its slot, rider and proof, or pickup store and code (docs/delivery.md). */
  delivery: DeliveryView;
  buyerRemark?: string;
  /** The shop's notes (商家备注), oldest first, with the shop's time; staff only: empty in a customer's view. */
  merchantNotes: Array<{ text: string; atText: string }>;
  /** The latest 改价 (ADJUST_PRICE) with its reason, when the price was adjusted. */
  priceAdjustment?: { reason: string; total: MoneyView; amount: MoneyView; signedText: string };
  shipments: ShipmentView[];
  refunds: RefundView[];
  afterSales: AfterSaleView[];
  deadlines: DeadlinesView;
  countdown: CountdownView | null;
  /** The order-level buttons for `actor` at `now`, in display order. */
  actions: ActionButton[];
  createdAtText: string;
  paidAtText?: string;
  /** Each payment source and what went back to it, for an order paid from several (余额 + 微信支付). */
  paymentSources?: PaymentSourceView[];
}

/** One card of the order list. */
export interface OrderListItemView {
  id: string;
  number: string;
  version: number;
  status: OrderStatus;
  statusLabel: string;
  closeReasonLabel?: string;
  /** First line's title, with '等 N 件商品' when there are more lines. */
  title: string;
  image?: string;
  lineCount: number;
  /** Units over all lines. */
  itemCount: number;
  total: MoneyView;
  createdAtText: string;
  /** True while an after-sale of this order is open. */
  afterSaleOpen: boolean;
  countdown: CountdownView | null;
  actions: ActionButton[];
}
