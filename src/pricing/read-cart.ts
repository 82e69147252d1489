import { OrderkitError, type IssuePath } from '../errors/orderkit-error.js';
import { TimestampSchema } from '../order/primitives.js';
import { MAX_CART_LINES, MAX_WALLET_COUPONS, type Cart, type WalletCoupon } from './cart-schema.js';
import { ok, fail, type Failure } from '../errors/result.js';

/**
 * Hand-written checks for carts and wallets, equivalent to `CartSchema` / `WalletSchema`.
 * Why not zod here: parsing a 50-line cart with zod costs about twice the 20 µs budget of pricing
 * it, and carts arrive on every page view. test/pricing/read-cart.test.ts proves with fast-check
 * that this accepts exactly what the schemas accept.
 */

type Fail = Failure;

class Problem {
  constructor(
    readonly path: IssuePath,
    readonly zh: string,
    readonly en: string,
  ) {}
}

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return String(value);
  return Array.isArray(value) ? 'array' : typeof value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// Paths are built only when a check fails: building them eagerly costs more than the checks.
function text(value: unknown, at: IssuePath, field: string, min: number, max: number, optional = false): void {
  if (value === undefined && optional) return;
  if (typeof value !== 'string' || value.length < min || value.length > max) {
    throw new Problem(
      [...at, field],
      `${field} 必须是长度 ${min}–${max} 的文本，收到 ${show(value)}`,
      `${field} must be text of ${min}–${max} characters, got ${show(value)}`,
    );
  }
}

function fen(value: unknown, at: IssuePath, field: string, optional = false): void {
  if (value === undefined && optional) return;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new Problem(
      [...at, field],
      `${field} 必须是以分为单位的非负整数，收到 ${show(value)}`,
      `${field} must be a non-negative integer number of fen, got ${show(value)}`,
    );
  }
}

function count(value: unknown, path: IssuePath): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new Problem(path, `积分必须是非负整数，收到 ${show(value)}`, `points must be a non-negative integer, got ${show(value)}`);
  }
}

function timestamp(value: unknown, path: IssuePath): void {
  if (value === undefined) return;
  if (!TimestampSchema.safeParse(value).success) {
    throw new Problem(path, `时间必须是 ISO 8601 格式（如 2025-01-01T00:00:00Z），收到 ${show(value)}`, `time must be ISO 8601 (e.g. 2025-01-01T00:00:00Z), got ${show(value)}`);
  }
}

/** Weight (g) or volume (cm³) per unit for freight templates: a whole number ≥ 0. */
function measure(value: unknown, path: IssuePath, key: string): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || value > 100_000_000) {
    throw new Problem([...path, key], `必须是 0 到 100000000 之间的整数（克或立方厘米），收到 ${show(value)}`, `must be a whole number from 0 to 100000000 (grams or cm³), got ${show(value)}`);
  }
}

function checkLine(line: unknown, path: IssuePath): void {
  if (!isRecord(line)) throw new Problem(path, `商品行必须是对象，收到 ${show(line)}`, `a cart line must be an object, got ${show(line)}`);
  text(line.id, path, 'id', 1, 128);
  text(line.sku, path, 'sku', 1, 64);
  text(line.title, path, 'title', 1, 200);
  text(line.category, path, 'category', 0, 64, true);
  text(line.image, path, 'image', 0, 1024, true);
  if (line.fulfillment !== undefined && line.fulfillment !== 'physical' && line.fulfillment !== 'virtual') {
    throw new Problem([...path, 'fulfillment'], `fulfillment 只能是 physical 或 virtual，收到 ${show(line.fulfillment)}`, `fulfillment must be physical or virtual, got ${show(line.fulfillment)}`);
  }
  fen(line.listPrice, path, 'listPrice');
  fen(line.memberPrice, path, 'memberPrice', true);
  if (line.freightTemplate !== undefined) text(line.freightTemplate, path, 'freightTemplate', 1, 128);
  if (line.weight !== undefined) measure(line.weight, path, 'weight');
  if (line.volume !== undefined) measure(line.volume, path, 'volume');
  const q = line.quantity;
  if (typeof q !== 'number' || !Number.isInteger(q) || q < 1 || q > 1_000_000) {
    throw new Problem([...path, 'quantity'], `数量必须是 1 到 1000000 之间的整数，收到 ${show(q)}`, `quantity must be a whole number from 1 to 1000000, got ${show(q)}`);
  }
}

function checkCoupons(coupons: unknown, path: IssuePath): void {
  if (!Array.isArray(coupons) || coupons.length > MAX_WALLET_COUPONS) {
    throw new Problem(path, `优惠券必须是最多 ${MAX_WALLET_COUPONS} 张的列表`, `coupons must be a list of at most ${MAX_WALLET_COUPONS}`);
  }
  const seen = new Set<string>();
  for (let i = 0; i < coupons.length; i++) {
    const c: unknown = coupons[i];
    const at = [...path, i];
    if (!isRecord(c)) throw new Problem(at, `优惠券必须是对象，收到 ${show(c)}`, `a coupon must be an object, got ${show(c)}`);
    text(c.id, at, 'id', 1, 128);
    text(c.definitionId, at, 'definitionId', 1, 128);
    timestamp(c.claimedAt, [...at, 'claimedAt']);
    const id = c.id as string;
    if (seen.has(id)) throw new Problem([...at, 'id'], `优惠券 ${id} 重复`, `coupon ${id} appears twice`);
    seen.add(id);
  }
}

function checkCart(cart: unknown): void {
  if (!isRecord(cart)) throw new Problem([], `购物车必须是对象，收到 ${show(cart)}`, `a cart must be an object, got ${show(cart)}`);
  const lines = cart.lines;
  if (!Array.isArray(lines) || lines.length < 1 || lines.length > MAX_CART_LINES) {
    throw new Problem(['lines'], `购物车需要 1–${MAX_CART_LINES} 个商品行`, `a cart needs 1–${MAX_CART_LINES} lines`);
  }
  const ids = new Set<string>();
  for (let i = 0; i < lines.length; i++) {
    checkLine(lines[i], ['lines', i]);
    const id = (lines[i] as { id: string }).id;
    if (ids.has(id)) throw new Problem(['lines', i, 'id'], `商品行 id ${id} 重复`, `line id ${id} appears twice`);
    ids.add(id);
  }
  if (cart.member !== undefined) {
    if (!isRecord(cart.member)) throw new Problem(['member'], '会员信息必须是对象', 'member must be an object');
    text(cart.member.level, ['member'], 'level', 1, 64);
  }
  text(cart.region, [], 'region', 1, 64, true);
  if (cart.pointsBalance !== undefined) count(cart.pointsBalance, ['pointsBalance']);
  if (cart.pointsToUse !== undefined && cart.pointsToUse !== 'max') count(cart.pointsToUse, ['pointsToUse']);
  if (cart.coupons !== undefined) checkCoupons(cart.coupons, ['coupons']);
}

function run(code: string, what: { zh: string; en: string }, check: () => void): Fail | null {
  try {
    check();
    return null;
  } catch (e) {
    if (!(e instanceof Problem)) throw e;
    return fail(new OrderkitError({ code, message: { 'zh-CN': `${what.zh}：${e.zh}`, en: `${what.en}: ${e.en}` }, path: e.path }));
  }
}

/**
 * Checks a cart (`INVALID_CART` with the path of the first problem). Returns the same object, typed.
 *
 * @example
 * const r = readCart({ lines: [{ id: 'l1', sku: 'TEA', title: '茶', listPrice: 1990, quantity: 0 }] });
 * // r.ok === false; r.error.path → ['lines', 0, 'quantity']
 */
export function readCart(cart: unknown): { ok: true; cart: Cart } | Fail {
  return run('INVALID_CART', { zh: '购物车无效', en: 'invalid cart' }, () => checkCart(cart)) ?? ok({ cart: cart as Cart });
}

/**
 * Checks a wallet (the shopper's claimed coupons) for `bestCoupons` (`INVALID_WALLET`).
 *
 * @example
 * readWallet([{ id: 'c1', definitionId: 'shop-5' }]).ok // true
 */
export function readWallet(wallet: unknown): { ok: true; wallet: WalletCoupon[] } | Fail {
  return run('INVALID_WALLET', { zh: '优惠券钱包无效', en: 'invalid wallet' }, () => checkCoupons(wallet, [])) ?? ok({
    wallet: wallet as WalletCoupon[],
  });
}
