import type { LocalizedText } from '../errors/orderkit-error.js';
import type { AfterSale, AfterSaleStatus, EffectType, Order } from '../order/index.js';
import type { Policy } from '../order/policy.js';
import { lineHoldings } from './holdings.js';
import { retryThatFits } from './caps.js';
import { findRefund, holdsMoney } from './ledger.js';

/** The commands the after-sale chart answers to. */
export type AfterSaleCommandType =
  | 'REQUEST_AFTER_SALE'
  | 'APPROVE_AFTER_SALE'
  | 'REJECT_AFTER_SALE'
  | 'CANCEL_AFTER_SALE'
  | 'RETURN_SHIPPED'
  | 'RETURN_RECEIVED'
  | 'REFUND_SUCCEEDED'
  | 'REFUND_FAILED'
  | 'REQUEST_FREIGHT_REFUND'
  | 'REQUEST_EXCHANGE'
  | 'PROPOSE_REFUND'
  | 'ACCEPT_REFUND_PROPOSAL'
  | 'DECLINE_REFUND_PROPOSAL'
  | 'SET_RETURN_SHIPPING_FEE'
  | 'SHIP_EXCHANGE';

/**
 * The commands after-sales handle, in the order the docs list them.
 *
 * @example
 * (AFTER_SALE_COMMAND_TYPES as readonly string[]).includes(command.type)
 */
export const AFTER_SALE_COMMAND_TYPES: readonly AfterSaleCommandType[] = [
  'REQUEST_AFTER_SALE',
  'APPROVE_AFTER_SALE',
  'REJECT_AFTER_SALE',
  'CANCEL_AFTER_SALE',
  'RETURN_SHIPPED',
  'RETURN_RECEIVED',
  'REFUND_SUCCEEDED',
  'REFUND_FAILED',
  'REQUEST_FREIGHT_REFUND',
  'REQUEST_EXCHANGE',
  'PROPOSE_REFUND',
  'ACCEPT_REFUND_PROPOSAL',
  'DECLINE_REFUND_PROPOSAL',
  'SET_RETURN_SHIPPING_FEE',
  'SHIP_EXCHANGE',
];

/**
 * The commands that create an after-sale (rows `from: null`).
 *
 * @example
 * AFTER_SALE_CREATING_COMMANDS.includes('REQUEST_EXCHANGE') // true
 */
export const AFTER_SALE_CREATING_COMMANDS: readonly AfterSaleCommandType[] = ['REQUEST_AFTER_SALE', 'REQUEST_FREIGHT_REFUND', 'REQUEST_EXCHANGE'];

export type AfterSaleGuard =
  | 'auto_approve'
  | 'refund_only'
  | 'return_and_refund'
  | 'return_not_shipped'
  | 'refund_failed'
  | 'paid_outside'
  | 'refund_pending'
  | 'nothing_to_pay'
  | 'refund_only_nothing_to_pay'
  | 'merchant_freight_refund'
  | 'exchange'
  | 'moves_money'
  | 'proposal_open'
  | 'return_fee_unset';

export interface AfterSaleTransition {
  /** `null`: the after-sale does not exist yet. */
  from: AfterSaleStatus | null;
  on: AfterSaleCommandType | 'always';
  to: AfterSaleStatus;
  when?: AfterSaleGuard;
  /** Who may send the command (the lifecycle checks the actor type; rows say it for the docs). */
  actors?: ReadonlyArray<'customer' | 'merchant' | 'system' | 'payment'>;
  effects?: readonly EffectType[];
  /**
   * Only the one the request belongs to may send it (`actsForRequester`: the shopper who asked, or
   * the shop's customer when the merchant asked for them; a merchant only for its own requests).
   */
  requesterOnly?: true;
}

/**
 * The after-sale state chart as data. The reducers move an after-sale only along these rows, the
 * diagram in docs/after-sales.md is drawn from them, and the path-walk test follows them — so the
 * three can never disagree.
 *
 * `on: 'always'` rows are taken at once, inside the same command, as soon as their guard holds
 * (xstate's eventless transitions): `approved` is a state an after-sale passes through, never one
 * it rests in.
 *
 * @example
 * AFTER_SALE_TRANSITIONS.filter((t) => t.from === 'requested').map((t) => t.on)
 */
export const AFTER_SALE_TRANSITIONS: readonly AfterSaleTransition[] = [
  { from: null, on: 'REQUEST_AFTER_SALE', to: 'requested', actors: ['customer', 'merchant'], effects: ['notify'] },
  { from: null, on: 'REQUEST_FREIGHT_REFUND', to: 'requested', actors: ['merchant'], effects: ['notify'] },
  { from: null, on: 'REQUEST_EXCHANGE', to: 'requested', actors: ['customer', 'merchant'], effects: ['notify'] },
  { from: 'requested', on: 'always', to: 'approved', when: 'auto_approve' },
  { from: 'requested', on: 'always', to: 'approved', when: 'merchant_freight_refund' },
  { from: 'requested', on: 'PROPOSE_REFUND', to: 'requested', when: 'moves_money', actors: ['merchant'], effects: ['notify'] },
  { from: 'requested', on: 'ACCEPT_REFUND_PROPOSAL', to: 'approved', when: 'proposal_open', actors: ['customer'], requesterOnly: true },
  { from: 'requested', on: 'DECLINE_REFUND_PROPOSAL', to: 'requested', when: 'proposal_open', actors: ['customer'], effects: ['notify'], requesterOnly: true },
  { from: 'requested', on: 'APPROVE_AFTER_SALE', to: 'approved', actors: ['merchant'] },
  { from: 'requested', on: 'REJECT_AFTER_SALE', to: 'rejected', actors: ['merchant'], effects: ['notify'] },
  { from: 'requested', on: 'CANCEL_AFTER_SALE', to: 'cancelled', actors: ['customer', 'merchant'], requesterOnly: true },
  { from: 'approved', on: 'always', to: 'refunded', when: 'refund_only_nothing_to_pay', effects: ['inventory.release', 'notify'] },
  { from: 'approved', on: 'always', to: 'refunding', when: 'refund_only', effects: ['payment.refund', 'inventory.release', 'notify'] },
  { from: 'approved', on: 'always', to: 'awaiting_return', when: 'return_and_refund', effects: ['notify'] },
  { from: 'approved', on: 'always', to: 'awaiting_return', when: 'exchange', effects: ['notify'] },
  { from: 'awaiting_return', on: 'SET_RETURN_SHIPPING_FEE', to: 'awaiting_return', when: 'return_fee_unset', actors: ['merchant'] },
  { from: 'awaiting_return', on: 'RETURN_SHIPPED', to: 'awaiting_return', when: 'return_not_shipped', actors: ['customer'], effects: ['notify'], requesterOnly: true },
  { from: 'awaiting_return', on: 'CANCEL_AFTER_SALE', to: 'cancelled', when: 'return_not_shipped', actors: ['customer', 'merchant'], requesterOnly: true },
  { from: 'awaiting_return', on: 'RETURN_RECEIVED', to: 'returned', actors: ['merchant'], effects: ['inventory.release'] },
  { from: 'returned', on: 'always', to: 'refunded', when: 'nothing_to_pay', effects: ['notify'] },
  { from: 'returned', on: 'always', to: 'refunding', when: 'moves_money', effects: ['payment.refund'] },
  { from: 'returned', on: 'SHIP_EXCHANGE', to: 'exchanged', when: 'exchange', actors: ['merchant'], effects: ['inventory.take', 'notify'] },
  { from: 'refunding', on: 'REFUND_FAILED', to: 'refunding', when: 'refund_pending', actors: ['payment', 'system'], effects: ['notify'] },
  { from: 'refunding', on: 'APPROVE_AFTER_SALE', to: 'refunded', when: 'paid_outside', actors: ['merchant'], effects: ['notify'] },
  { from: 'refunding', on: 'APPROVE_AFTER_SALE', to: 'refunding', when: 'refund_failed', actors: ['merchant'], effects: ['payment.refund'] },
  { from: 'refunding', on: 'REFUND_SUCCEEDED', to: 'refunded', actors: ['payment', 'system'], effects: ['notify'] },
];

/**
 * What each guard means, for diagrams and error hints.
 *
 * @example
 * AFTER_SALE_GUARD_LABELS.auto_approve['zh-CN'] // '仅退款且未发货、未在最后一笔钱之前要回运费，店铺规则自动同意'
 */
export const AFTER_SALE_GUARD_LABELS: Readonly<Record<AfterSaleGuard, LocalizedText>> = {
  auto_approve: { 'zh-CN': '仅退款且未发货、未在最后一笔钱之前要回运费，店铺规则自动同意', en: 'refund only, nothing shipped, no freight before the last money, policy auto-approves' },
  refund_only: { 'zh-CN': '仅退款', en: 'refund only' },
  return_and_refund: { 'zh-CN': '退货退款', en: 'return and refund' },
  return_not_shipped: { 'zh-CN': '买家尚未寄回', en: 'return not yet shipped' },
  refund_failed: { 'zh-CN': '退款失败后重试（同一退款单号）', en: 'retry of a failed refund (same refund id)' },
  paid_outside: { 'zh-CN': '退款失败且已在商户平台退完', en: 'refund failed, all refunded in the merchant platform' },
  refund_pending: { 'zh-CN': '退款处理中', en: 'refund pending' },
  nothing_to_pay: { 'zh-CN': '退款金额为 0（如赠品），不发起退款', en: 'nothing to pay back (a free gift): no gateway refund' },
  refund_only_nothing_to_pay: { 'zh-CN': '仅退款且金额为 0（如赠品），不发起退款', en: 'refund only, nothing to pay back (a free gift): no gateway refund' },
  merchant_freight_refund: { 'zh-CN': '商家发起的退运费', en: 'freight refund filed by the merchant' },
  exchange: { 'zh-CN': '换货', en: 'exchange' },
  moves_money: { 'zh-CN': '退款类售后（非换货）且金额大于 0', en: 'a refund of more than 0 (not an exchange)' },
  proposal_open: { 'zh-CN': '有待答复的协商方案', en: 'a proposal awaits an answer' },
  return_fee_unset: { 'zh-CN': '退货退款且尚未设置退货运费', en: 'return and refund, return shipping fee not yet set' },
};

/**
 * A request that asks the whole freight back (`includeShipping: true`) while goods are still left
 * to pay for after it: the shop would pay the freight again to ship the rest, so the merchant
 * reviews it instead of the policy approving it at once (docs/after-sales.md "Rules"). Per line
 * (`refundShippingBy: 'line'`) a request only carries its own units' freight: nothing to review.
 * `order` already holds the request.
 */
function freightBeforeLastMoney(order: Order, afterSale: AfterSale, policy: Policy): boolean {
  if (afterSale.shippingAmount === 0 || policy.refundShippingBy === 'line') return false;
  for (const h of lineHoldings(order).values()) if (h.line.payable - h.heldAmount > 0) return true;
  return false;
}

function refundStatus(order: Order, afterSale: AfterSale): string | undefined {
  return afterSale.refundId === undefined ? undefined : findRefund(order, afterSale.refundId)?.status;
}

/**
 * Whether a row's guard holds for this after-sale on this order.
 *
 * @example
 * afterSaleGuardHolds('return_not_shipped', order, afterSale, policy) // true until RETURN_SHIPPED
 */
export function afterSaleGuardHolds(guard: AfterSaleGuard, order: Order, afterSale: AfterSale, policy: Policy): boolean {
  switch (guard) {
    case 'auto_approve':
      // A shopper's freight-only request is always reviewed: the policy approves goods refunds only.
      return (
        afterSale.kind === 'refund_only' &&
        afterSale.freightOnly !== true &&
        order.shipments.length === 0 &&
        policy.autoApproveRefundBeforeShipment &&
        !freightBeforeLastMoney(order, afterSale, policy)
      );
    case 'refund_only':
      return afterSale.kind === 'refund_only';
    case 'return_and_refund':
      return afterSale.kind === 'return_and_refund';
    case 'return_not_shipped':
      return afterSale.returnShipment === undefined;
    case 'refund_failed':
      return refundStatus(order, afterSale) === 'failed';
    case 'paid_outside': {
      // A failed refund whose money refunds recorded from the bill took (docs/after-sales.md "Refunds the ledger did not know").
      const r = afterSale.refundId === undefined ? undefined : findRefund(order, afterSale.refundId);
      return r !== undefined && r.status === 'failed' && !holdsMoney(r) && retryThatFits(order, afterSale.id, r) === 0;
    }
    case 'refund_pending':
      return refundStatus(order, afterSale) === 'pending';
    case 'nothing_to_pay':
      // An exchange moves no money either, but it goes on to SHIP_EXCHANGE, not to refunded.
      return afterSale.amount === 0 && afterSale.kind !== 'exchange';
    case 'refund_only_nothing_to_pay':
      return afterSale.kind === 'refund_only' && afterSale.amount === 0;
    case 'merchant_freight_refund':
      return afterSale.freightOnly === true && afterSale.requestedBy.type === 'merchant';
    case 'exchange':
      return afterSale.kind === 'exchange';
    case 'moves_money':
      return afterSale.kind !== 'exchange' && afterSale.amount > 0;
    case 'proposal_open': {
      const proposals = afterSale.proposals;
      return proposals !== undefined && proposals.length > 0 && proposals[proposals.length - 1]!.status === 'pending';
    }
    case 'return_fee_unset':
      return afterSale.kind === 'return_and_refund' && afterSale.returnShippingFee === undefined;
  }
}

/**
 * The row a command takes from the after-sale's status, or undefined when the chart has none.
 *
 * @example
 * findAfterSaleTransition('requested', 'APPROVE_AFTER_SALE', order, afterSale, policy)?.to // 'approved'
 */
export function findAfterSaleTransition(
  from: AfterSaleStatus | null,
  on: AfterSaleCommandType | 'always',
  order: Order,
  afterSale: AfterSale,
  policy: Policy,
): AfterSaleTransition | undefined {
  const rows = rowsByCommand().get(on);
  if (rows === undefined) return undefined;
  for (let i = 0; i < rows.length; i++) {
    const t = rows[i]!;
    if (t.from === from && (t.when === undefined || afterSaleGuardHolds(t.when, order, afterSale, policy))) return t;
  }
  return undefined;
}

// The chart's rows by `on`, in chart order: one map lookup, then a scan of a few rows for `from`
// (every step looks rows up two or three times; two lookups per row showed in the profile).
let byCommand: Map<string, AfterSaleTransition[]> | undefined;
let requesterOnly: Set<string> | undefined;
function rowsByCommand(): Map<string, AfterSaleTransition[]> {
  if (byCommand === undefined) {
    byCommand = new Map();
    requesterOnly = new Set();
    for (const t of AFTER_SALE_TRANSITIONS) {
      let list = byCommand.get(t.on);
      if (list === undefined) byCommand.set(t.on, (list = []));
      list.push(t);
      if (t.requesterOnly === true) requesterOnly.add(t.on);
    }
  }
  return byCommand;
}

/**
 * Statuses an after-sale never leaves.
 *
 * @example
 * FINAL_AFTER_SALE_STATUSES.includes(afterSale.status)
 */
export const FINAL_AFTER_SALE_STATUSES: readonly AfterSaleStatus[] = ['rejected', 'cancelled', 'refunded', 'exchanged'];

/**
 * True when only the requester may send `on` (see `AfterSaleTransition.requesterOnly`).
 *
 * @example
 * isRequesterOnly('CANCEL_AFTER_SALE') // true
 */
export function isRequesterOnly(on: AfterSaleCommandType): boolean {
  rowsByCommand();
  return requesterOnly!.has(on);
}
