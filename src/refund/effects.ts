import type { AfterSale, EffectDraft, Order, Refund } from '../order/index.js';

/** Builders for the effects after-sales emit; plain data, stamped with ids by `transition()`. */

/** WeChat Pay keeps at most 80 characters of a refund reason. */
function refundReason(text: string): string {
  // Code points never outnumber UTF-16 code units: a text of ≤ 80 units is already short enough.
  if (text.length <= 80) return text;
  return Array.from(text).slice(0, 80).join('');
}

export function paymentRefundEffect(order: Order, refund: Refund, reason: string): EffectDraft {
  const effect: EffectDraft = {
    type: 'payment.refund',
    refundId: refund.id,
    outTradeNo: refund.outTradeNo ?? order.payment.outTradeNo ?? order.number,
    amount: refund.amount,
    total: order.payment.paidAmount,
    reason: refundReason(reason),
  };
  const transactionId = refund.transactionId ?? order.payment.transactionId;
  if (transactionId !== undefined) effect.transactionId = transactionId;
  return effect;
}

/** One `inventory.release` for the given units, summed per SKU; none when nothing is released. */
export function inventoryReleaseEffect(order: Order, items: ReadonlyArray<{ lineId: string; quantity: number }>, reason: string): EffectDraft[] {
  const bySku = new Map<string, number>();
  for (const item of items) {
    if (item.quantity <= 0) continue;
    const line = order.lines.find((l) => l.id === item.lineId);
    if (!line) continue;
    bySku.set(line.sku, (bySku.get(line.sku) ?? 0) + item.quantity);
  }
  if (bySku.size === 0) return [];
  return [{ type: 'inventory.release', items: Array.from(bySku, ([sku, quantity]) => ({ sku, quantity })), reason }];
}

/** One `inventory.release` of units whose SKUs are known (./unit-skus.ts), summed per SKU; none when empty. */
export function inventoryReleaseBySku(units: ReadonlyArray<{ sku: string; quantity: number }>, reason: string): EffectDraft[] {
  const items = sumBySku(units);
  return items.length === 0 ? [] : [{ type: 'inventory.release', items, reason }];
}

/**
 * 换货 shipped: the replacement units taken from stock, keyed by the after-sale so that the order
 * takes them once however often the effect is applied (docs/inventory.md "Exchanges").
 */
export function exchangeTakeEffect(afterSale: AfterSale): EffectDraft[] {
  const items = sumBySku(afterSale.exchange?.items ?? []);
  return items.length === 0 ? [] : [{ type: 'inventory.take', key: `exchange:${afterSale.id}`, items, reason: 'exchange' }];
}

function sumBySku(units: ReadonlyArray<{ sku: string; quantity: number }>): Array<{ sku: string; quantity: number }> {
  const bySku = new Map<string, number>();
  for (const u of units) if (u.quantity > 0) bySku.set(u.sku, (bySku.get(u.sku) ?? 0) + u.quantity);
  return Array.from(bySku, ([sku, quantity]) => ({ sku, quantity }));
}

export function notifyEffect(to: 'customer' | 'merchant', template: string, order: Order, data: Record<string, unknown>): EffectDraft {
  return { type: 'notify', to, template, data: { orderNumber: order.number, ...data } };
}

export function afterSaleNotifyData(afterSale: AfterSale): Record<string, unknown> {
  return { afterSaleId: afterSale.id, kind: afterSale.kind, amount: afterSale.amount };
}

/**
 * `notifyEffect(to, template, order, { ...afterSaleNotifyData(afterSale), [key]: value })`, built
 * without the two spreads (each costs more than the rest of a small after-sale step): the same
 * data, keys in the same order.
 */
export function afterSaleNotice(to: 'customer' | 'merchant', template: string, order: Order, afterSale: AfterSale, key: string, value: unknown): EffectDraft {
  const data: Record<string, unknown> = { orderNumber: order.number, afterSaleId: afterSale.id, kind: afterSale.kind, amount: afterSale.amount };
  data[key] = value;
  return { type: 'notify', to, template, data };
}
