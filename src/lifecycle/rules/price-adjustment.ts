import { OrderkitError } from '../../errors/orderkit-error.js';
import { allocate } from '../../money/allocate.js';
import type { Adjustment, CommandOf, Line, Order, PaymentAttempt } from '../../order/index.js';
import { nextAttemptOutTradeNo } from '../attempts.js';
import { isDue } from '../deadlines.js';
import { sourceErrors } from './sources.js';
import { editErrors } from '../edit-errors.js';
import { NO_MATCH } from '../errors.js';
import { defineGuard, note, type Draft, type Probe, type Step } from '../step.js';

/**
 * 改价 (ADJUST_PRICE): a merchant sets a new total for an unpaid order.
 *
 * - The difference is stored per line as a `price_adjustment` allocation, split by `allocate`
 *   (largest remainder) over the lines in stable key order (SKU, then line id) with the current
 *   line payables as weights, so later partial refunds read exact stored amounts. A decrease never
 *   takes a line below 0 (a share is never more than the line's payable).
 * - Freight stays as it is: the adjustment is on the goods. Only a new total below the freight
 *   lowers the freight too (goods go to 0 and freight becomes the new total), so that a total of 0
 *   is always possible; that part is kept as a `freight` adjustment of the same id.
 * - An increase is allowed up to `policy.maxPriceIncrease` above the total before any adjustment
 *   (default 0: no increase), so a cap cannot be walked around in small steps.
 * - The open attempt is closed (`payment.close`) and a new attempt for the new total starts; a new
 *   total of 0 pays the order at once, as `placeOrder` does for a free order. The pay-by deadline
 *   does not move, and once it has passed the order can no longer be re-priced.
 */

type Adjusting = CommandOf<'ADJUST_PRICE'>;

export interface PriceAdjustmentPlan {
  kind: 'price_adjustment';
  id: string;
  oldTotal: number;
  newTotal: number;
  /** Fen taken off the goods (negative: added). */
  goodsDelta: number;
  /** Fen taken off the freight (never negative). */
  freightDelta: number;
  lines: Line[];
  adjustments: Adjustment[];
  /** The new attempt's out_trade_no, absent when the new total is 0. */
  outTradeNo: string | undefined;
}

/**
 * The total before any price adjustment: what `maxPriceIncrease` is measured against.
 *
 * @example
 * totalBeforeAdjustments(order) // 9900 for an order placed at ¥99 and 改价'd to ¥80
 */
export function totalBeforeAdjustments(order: Order): number {
  const ids = new Set<string>();
  for (const a of order.pricing.adjustments) if (a.source === 'price_adjustment') ids.add(a.sourceId);
  let adjusted = 0;
  for (const a of order.pricing.adjustments) if ((a.source === 'price_adjustment' || a.source === 'freight') && ids.has(a.sourceId)) adjusted += a.amount;
  return order.pricing.total + adjusted;
}

/** Line indices in stable key order: SKU, then line id (docs/pricing.md "Money rules"). */
function stableOrder(lines: readonly Line[]): number[] {
  const idx = lines.map((_, i) => i);
  return idx.sort((a, b) => {
    const x = lines[a]!;
    const y = lines[b]!;
    if (x.sku !== y.sku) return x.sku < y.sku ? -1 : 1;
    return x.id < y.id ? -1 : x.id > y.id ? 1 : 0;
  });
}

function weightsFor(lines: readonly Line[], order: number[], delta: number): number[] {
  const payables = order.map((i) => lines[i]!.payable);
  if (delta > 0 || payables.some((w) => w > 0)) return payables;
  // Raising goods that cost nothing now: spread by shelf value, or evenly.
  const subtotals = order.map((i) => lines[i]!.subtotal);
  return subtotals.some((w) => w > 0) ? subtotals : order.map(() => 1);
}

/**
 * Checks an ADJUST_PRICE against the order and works out every number (the per-line shares, the
 * adjustment entries, the new attempt), or returns the typed error that says why not. Pure; what
 * `transition()` runs, exported for previews ("the customer will pay ¥80.00").
 *
 * @example
 * const plan = planPriceAdjustment(order, { type: 'ADJUST_PRICE', newTotal: 8000, reason: '老客优惠' }, now, policy.maxPriceIncrease, policy.timeZone);
 * if (!('code' in plan)) plan.lines.map((l) => l.payable)
 */
export function planPriceAdjustment(
  order: Order,
  command: Adjusting,
  now: Date,
  maxIncrease: number,
  /** The shop's zone, for the time in the messages (default Asia/Shanghai, as `defaultPolicy`). */
  timeZone = 'Asia/Shanghai',
): PriceAdjustmentPlan | OrderkitError {
  const newTotal = command.newTotal as unknown;
  if (typeof newTotal !== 'number' || !Number.isSafeInteger(newTotal) || newTotal < 0) {
    return editErrors.invalidAdjustment(['newTotal'], '新价格必须是非负整数（分）', 'newTotal must be a non-negative integer number of fen');
  }
  const reason = command.reason as unknown;
  if (typeof reason !== 'string' || reason.trim().length === 0 || reason.length > 200) {
    return editErrors.invalidAdjustment(['reason'], '请填写 1 到 200 个字符的改价原因', 'a reason of 1 to 200 characters is required');
  }
  if (isDue(order.deadlines.payBy, now)) return editErrors.payDeadlinePassed(order.deadlines.payBy!, timeZone);
  if (order.payment.sources !== undefined) return sourceErrors.priceFixed();
  const pricing = order.pricing;
  const oldTotal = pricing.total;
  if (newTotal === oldTotal) return editErrors.priceUnchanged(oldTotal);
  if (newTotal > oldTotal) {
    const increase = newTotal - totalBeforeAdjustments(order);
    const max = Number.isSafeInteger(maxIncrease) && maxIncrease > 0 ? maxIncrease : 0;
    if (increase > max) return editErrors.priceIncreaseNotAllowed(max, increase);
  }
  let outTradeNo: string | undefined;
  if (newTotal > 0) {
    const next = nextAttemptOutTradeNo(order);
    if (!next.ok) return next.error;
    outTradeNo = next.outTradeNo;
  }

  const freight = pricing.freight;
  const goods = oldTotal - freight;
  const goodsTarget = newTotal >= freight ? newTotal - freight : 0;
  const newFreight = newTotal >= freight ? freight : newTotal;
  const goodsDelta = goods - goodsTarget;
  const freightDelta = freight - newFreight;

  let n = 1;
  for (const a of pricing.adjustments) if (a.source === 'price_adjustment') n++;
  const id = `price_adjustment:${n}`;
  const keyOrder = stableOrder(order.lines);
  const shares = goodsDelta === 0 ? keyOrder.map(() => 0) : allocate(goodsDelta, weightsFor(order.lines, keyOrder, goodsDelta));
  const lines = order.lines.slice();
  const lineIds: string[] = [];
  for (let k = 0; k < keyOrder.length; k++) {
    const share = shares[k]!;
    if (share === 0) continue;
    const i = keyOrder[k]!;
    const line = lines[i]!;
    const payable = line.payable - share;
    if (!Number.isSafeInteger(payable) || payable < 0) {
      return editErrors.invalidAdjustment(['newTotal'], `商品行 ${line.id} 的应付金额会变为负数`, `line ${line.id} would cost less than nothing`);
    }
    lines[i] = { ...line, allocations: line.allocations.concat({ source: 'price_adjustment', sourceId: id, amount: share }), payable };
    lineIds.push(line.id);
  }
  const text = reason.trim();
  // The merchant's own words: the source (`price_adjustment`, 商家改价) already says what it is.
  const localized = { 'zh-CN': text, en: text };
  const adjustments = pricing.adjustments.concat({ id, source: 'price_adjustment', sourceId: id, amount: goodsDelta, lineIds, reason: localized });
  if (freightDelta > 0) adjustments.push({ id: `${id}:freight`, source: 'freight', sourceId: id, amount: freightDelta, lineIds: [], reason: localized });
  return { kind: 'price_adjustment', id, oldTotal, newTotal, goodsDelta, freightDelta, lines, adjustments, outTradeNo };
}

/** The plan once per transition: guards and the action share it through the step's memo. */
function planOf(step: Step<Adjusting>): PriceAdjustmentPlan | OrderkitError {
  const memo = step.memo as { kind?: string; result?: PriceAdjustmentPlan | OrderkitError } | undefined;
  if (memo !== undefined && memo.kind === 'price_adjustment_plan') return memo.result!;
  const result = planPriceAdjustment(step.order, step.command, step.ctx.now, step.ctx.policy.maxPriceIncrease, step.ctx.policy.timeZone);
  step.memo = { kind: 'price_adjustment_plan', result };
  return result;
}

function adjustable(probe: Probe): boolean {
  return !isDue(probe.order.deadlines.payBy, new Date(probe.nowMs)) && nextAttemptOutTradeNo(probe.order).ok;
}

function branch(step: Step<Adjusting>, toZero: boolean, virtual: boolean | undefined): OrderkitError | undefined {
  const plan = planOf(step);
  if (plan instanceof OrderkitError) return plan;
  if ((plan.newTotal === 0) !== toZero) return NO_MATCH;
  if (virtual !== undefined && (step.order.fulfillment === 'virtual') !== virtual) return NO_MATCH;
  return undefined;
}

/** A new non-zero total: the order stays unpaid with a new attempt. */
export const adjustsPrice = defineGuard((step: Step<Adjusting>) => branch(step, false, undefined), adjustable);

/** A new total of 0 for physical goods: paid at once, waiting to ship. */
export const adjustsPriceToZero = defineGuard(
  (step: Step<Adjusting>) => branch(step, true, false),
  (probe) => adjustable(probe) && probe.order.fulfillment !== 'virtual',
);

/** A new total of 0 for virtual goods: paid and shipped at once. */
export const adjustsVirtualPriceToZero = defineGuard(
  (step: Step<Adjusting>) => branch(step, true, true),
  (probe) => adjustable(probe) && probe.order.fulfillment === 'virtual',
);

/** Applies the plan: lines, pricing, the old attempt closed, the new one opened (or the order paid). */
export function adjustPrice(draft: Draft, step: Step<Adjusting>): void {
  const plan = planOf(step) as PriceAdjustmentPlan;
  const order = draft.order;
  const at = step.ctx.at;
  order.lines = plan.lines;
  order.pricing = {
    ...order.pricing,
    freight: order.pricing.freight - plan.freightDelta,
    discountTotal: order.pricing.discountTotal + plan.goodsDelta,
    total: plan.newTotal,
    adjustments: plan.adjustments,
  };
  const attempts: PaymentAttempt[] = [];
  const closed: string[] = [];
  for (const a of order.payment.attempts) {
    if (a.status !== 'open') {
      attempts.push(a);
      continue;
    }
    attempts.push({ outTradeNo: a.outTradeNo, amount: a.amount, status: 'closed', createdAt: a.createdAt });
    draft.effects.push({ type: 'payment.close', outTradeNo: a.outTradeNo });
    closed.push(a.outTradeNo);
  }
  if (plan.outTradeNo !== undefined) {
    attempts.push({ outTradeNo: plan.outTradeNo, amount: plan.newTotal, status: 'open', createdAt: at });
    order.payment = { ...order.payment, attempts };
  } else {
    order.payment = { ...order.payment, attempts, paidAmount: 0, paidAt: at };
    order.paidAt = at;
  }
  note(draft, 'adjustmentId', plan.id);
  note(draft, 'oldTotal', plan.oldTotal);
  note(draft, 'newTotal', plan.newTotal);
  note(draft, 'reason', step.command.reason);
  if (plan.freightDelta > 0) note(draft, 'freightDelta', plan.freightDelta);
  note(draft, 'closedOutTradeNos', closed);
  if (plan.outTradeNo !== undefined) note(draft, 'outTradeNo', plan.outTradeNo);
  else note(draft, 'amount', 0);
}
