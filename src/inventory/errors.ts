import { OrderkitError } from '../errors/orderkit-error.js';

/** Stable codes of the inventory port (docs/inventory.md "Errors"). */
export const INVENTORY_ERROR_CODES = Object.freeze({
  outOfStock: 'OUT_OF_STOCK',
  limitReached: 'LIMIT_REACHED',
  unknownSku: 'UNKNOWN_SKU',
  invalidQuantity: 'INVALID_STOCK_QUANTITY',
  unavailable: 'INVENTORY_UNAVAILABLE',
  placementUnknown: 'INVENTORY_PLACEMENT_UNKNOWN',
} as const);

export type InventoryErrorCode = (typeof INVENTORY_ERROR_CODES)[keyof typeof INVENTORY_ERROR_CODES];

/** Whether an error is one of the port's refusals (a result for the caller, not a crash). */
export function isInventoryError(error: unknown): error is OrderkitError {
  const code = (error as { code?: unknown } | null)?.code;
  return error instanceof OrderkitError && Object.values(INVENTORY_ERROR_CODES).indexOf(code as InventoryErrorCode) >= 0;
}

export function outOfStock(sku: string, wanted: number, available: number, index = 0): OrderkitError {
  return new OrderkitError({
    code: INVENTORY_ERROR_CODES.outOfStock,
    message: { 'zh-CN': `库存不足：${sku} 需要 ${wanted} 件，仅剩 ${available} 件`, en: `out of stock: ${sku} needs ${wanted}, ${available} left` },
    path: ['items', index, 'quantity'],
    details: { sku, wanted, available },
  });
}

export function limitReached(sku: string, key: string, perCustomer: number, held: number, index = 0): OrderkitError {
  return new OrderkitError({
    code: INVENTORY_ERROR_CODES.limitReached,
    message: {
      'zh-CN': `已达限购：${sku} 每人限购 ${perCustomer} 件，您已购 ${held} 件`,
      en: `purchase limit reached: ${sku} allows ${perCustomer} per customer, you hold ${held}`,
    },
    path: ['items', index, 'quantity'],
    details: { sku, limitKey: key, perCustomer, held },
  });
}

export function unknownSku(sku: string, index = 0): OrderkitError {
  return new OrderkitError({
    code: INVENTORY_ERROR_CODES.unknownSku,
    message: { 'zh-CN': `未知商品：${sku} 没有库存记录`, en: `unknown SKU: ${sku} has no stock record` },
    path: ['items', index, 'sku'],
    details: { sku },
  });
}

export function invalidQuantity(path: ReadonlyArray<string | number>, value: unknown): OrderkitError {
  return new OrderkitError({
    code: INVENTORY_ERROR_CODES.invalidQuantity,
    message: { 'zh-CN': '库存数量必须是非负整数（件数为正整数）', en: 'a stock quantity must be a whole number (units: positive)' },
    path,
    details: { value: typeof value === 'number' || typeof value === 'string' ? value : typeof value },
  });
}

export function inventoryUnavailable(cause: unknown): OrderkitError {
  return new OrderkitError({
    code: INVENTORY_ERROR_CODES.unavailable,
    message: { 'zh-CN': '库存服务暂不可用，请稍后再试', en: 'the inventory service is unavailable; try again later' },
    details: { cause: cause instanceof Error ? cause.message : String(cause) },
  });
}

/**
 * A placement whose create failed without saying whether the order was written (a lost answer, a
 * timeout after the write), and whose order could not be found out: the units stay held by the
 * order id, not given back (docs/inventory.md "Placing without one transaction").
 */
export function inventoryPlacementUnknown(orderId: string, cause: unknown): OrderkitError {
  return new OrderkitError({
    code: INVENTORY_ERROR_CODES.placementUnknown,
    message: {
      'zh-CN': `订单 ${orderId} 可能已创建，也可能未创建（存储未给出确定结果）；为它占用的库存保留在该订单 id 上，未归还。请用同一订单 id 或幂等键重试，或稍后查询该订单`,
      en: `order ${orderId} may or may not have been created (the store gave no certain answer); the units held for it stay with the order id, not given back. Retry with the same order id or idempotency key, or look the order up later`,
    },
    path: ['items'],
    details: { orderId, mayHaveApplied: true, cause: cause instanceof Error ? cause.message : String(cause) },
  });
}
