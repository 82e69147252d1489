import { OrderkitError } from '../errors/orderkit-error.js';
import { invalidQuantity } from './errors.js';
import type { GiveBackRequest, HoldRequest, SkuSetup, StockItem, TakeRequest } from './types.js';

const MAX_UNITS = 1_000_000_000;

function positiveUnits(value: unknown, path: ReadonlyArray<string | number>): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_UNITS) throw invalidQuantity(path, value);
  return value;
}

function text(value: unknown, path: ReadonlyArray<string | number>, what: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 200 || value.indexOf('\u0000') >= 0) {
    throw new OrderkitError({ code: 'INVALID_INVENTORY_REQUEST', message: { 'zh-CN': `${what} 必须是非空字符串`, en: `${what} must be a non-empty string` }, path });
  }
  return value;
}

/**
 * Checks and sums a request's items per SKU (in first-seen order), so every adapter sees the same
 * clean input: positive whole units, one entry per SKU. Throws INVALID_STOCK_QUANTITY otherwise.
 */
export function sumItems(items: unknown): StockItem[] {
  if (!Array.isArray(items)) throw invalidQuantity(['items'], items);
  const out: StockItem[] = [];
  items.forEach((item: unknown, i: number) => {
    const it = (item ?? {}) as { sku?: unknown; quantity?: unknown };
    const sku = text(it.sku, ['items', i, 'sku'], 'sku');
    const quantity = positiveUnits(it.quantity, ['items', i, 'quantity']);
    const same = out.find((o) => o.sku === sku);
    if (same) same.quantity = positiveUnits(same.quantity + quantity, ['items', i, 'quantity']);
    else out.push({ sku, quantity });
  });
  return out;
}

export function checkHold(request: HoldRequest): HoldRequest {
  return { orderId: text(request?.orderId, ['orderId'], 'orderId'), customerId: text(request?.customerId, ['customerId'], 'customerId'), items: sumItems(request?.items) };
}

export function checkGiveBack(request: GiveBackRequest): GiveBackRequest {
  return { orderId: text(request?.orderId, ['orderId'], 'orderId'), key: text(request?.key, ['key'], 'key'), items: sumItems(request?.items) };
}

export function checkTake(request: TakeRequest): TakeRequest {
  return {
    orderId: text(request?.orderId, ['orderId'], 'orderId'),
    customerId: text(request?.customerId, ['customerId'], 'customerId'),
    key: text(request?.key, ['key'], 'key'),
    items: sumItems(request?.items),
  };
}

export function checkSetup(setup: SkuSetup): Required<Omit<SkuSetup, 'limit'>> & Pick<SkuSetup, 'limit'> {
  const sku = text(setup?.sku, ['sku'], 'sku');
  const available = setup.available;
  if (typeof available !== 'number' || !Number.isInteger(available) || available < 0 || available > MAX_UNITS) throw invalidQuantity(['available'], available);
  const policy = setup.policy ?? 'reserve_on_place';
  if (policy !== 'reserve_on_place' && policy !== 'take_on_payment') {
    throw new OrderkitError({ code: 'INVALID_INVENTORY_REQUEST', message: { 'zh-CN': '库存策略无效', en: 'unknown stock policy' }, path: ['policy'] });
  }
  const out: Required<Omit<SkuSetup, 'limit'>> & Pick<SkuSetup, 'limit'> = { sku, available, policy, restockOnReturn: setup.restockOnReturn !== false };
  if (setup.limit !== undefined) {
    const perCustomer = positiveUnits(setup.limit.perCustomer, ['limit', 'perCustomer']);
    out.limit = { perCustomer, key: setup.limit.key === undefined ? sku : text(setup.limit.key, ['limit', 'key'], 'limit.key') };
  }
  return out;
}

/** The limit key of a SKU: its activity, or itself. */
export function limitKeyOf(sku: string, limit: { key?: string } | undefined): string {
  return limit?.key ?? sku;
}
