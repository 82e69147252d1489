import { OrderkitError, type Actor, type Address, type Cart, type CartLine, type DeliveryRules, type PricingRules } from './orderkit/index.js';
import type { InventoryPort, SkuSetup } from './orderkit/inventory.js';

/**
 * The demo shop: a small tea house (茶舍). Prices live on the server; a request names SKUs and
 * quantities only, never a price. A real shop reads these from its product database.
 */
export interface Product {
  sku: string;
  title: string;
  category: 'tea' | 'teaware' | 'gift' | 'card';
  listPrice: number;
  fulfillment?: 'virtual';
}

export const PRODUCTS: readonly Product[] = [
  { sku: 'TEA-LJ-250', title: '西湖龙井 250g', category: 'tea', listPrice: 16_800 },
  { sku: 'TEA-PE-357', title: '云南普洱饼 357g', category: 'tea', listPrice: 12_800 },
  { sku: 'TEA-TGY-200', title: '安溪铁观音 200g', category: 'tea', listPrice: 9_800 },
  { sku: 'TEA-BC-100', title: '福鼎白茶 100g', category: 'tea', listPrice: 8_800 },
  { sku: 'CUP-GLASS', title: '双层玻璃杯', category: 'teaware', listPrice: 3_900 },
  { sku: 'POT-YX', title: '宜兴紫砂壶', category: 'teaware', listPrice: 39_900 },
  { sku: 'SET-GIFT', title: '四季茶礼盒', category: 'gift', listPrice: 29_900 },
  { sku: 'CARD-100', title: '电子礼品卡 ¥100', category: 'card', listPrice: 10_000, fulfillment: 'virtual' },
];

const BY_SKU = new Map(PRODUCTS.map((p) => [p.sku, p]));

/** A SKU as it is sold today, for 再来一单 (undefined: no longer sold). */
export function productNow(sku: string): Product | undefined {
  return BY_SKU.get(sku);
}

/**
 * The demo shop's stock (docs/inventory.md): the gift box is a 限购 item (2 per customer), the
 * gift card is taken at payment (付款减库存), everything else is held at placement (下单减库存).
 */
export const DEMO_STOCK: readonly SkuSetup[] = PRODUCTS.map((p): SkuSetup => {
  if (p.sku === 'SET-GIFT') return { sku: p.sku, available: 300, limit: { perCustomer: 2 } };
  if (p.sku === 'POT-YX') return { sku: p.sku, available: 60 };
  if (p.fulfillment === 'virtual') return { sku: p.sku, available: 1_000, policy: 'take_on_payment' };
  return { sku: p.sku, available: 2_000 };
});

/** Sets up each demo SKU that the inventory does not know yet (a restart keeps the stock it had). */
export async function stockDemoShop(inventory: InventoryPort, setups: readonly SkuSetup[] = DEMO_STOCK): Promise<number> {
  let added = 0;
  for (const setup of setups) {
    if ((await inventory.level(setup.sku)) !== null) continue;
    await inventory.configure(setup);
    added += 1;
  }
  return added;
}

/**
 * The shop's promotions, as plain data (docs/pricing.md). Windows are set around the start time
 * so the demo's prices do not expire.
 */
export function demoRules(now: Date): PricingRules {
  const from = new Date(now.getTime() - 400 * 86_400_000).toISOString();
  const to = new Date(now.getTime() + 400 * 86_400_000).toISOString();
  return {
    catalogue: { skus: PRODUCTS.map((p) => p.sku), categories: ['tea', 'teaware', 'gift', 'card'] },
    memberPrices: [{ id: 'gold-tea', kind: 'percent', levels: ['gold'], offBp: 500, scope: { kind: 'category', categories: ['tea'] } }],
    timedDiscounts: [{ id: 'teaware-sale', kind: 'percent', window: { from, to }, offBp: 1000, scope: { kind: 'category', categories: ['teaware'] } }],
    fullReductions: [
      {
        id: 'spend-more',
        kind: 'tiered',
        tiers: [
          { threshold: 19_900, off: 2_000 },
          { threshold: 39_900, off: 5_000 },
        ],
        scope: { kind: 'all', excludeSkus: ['CARD-100'] },
      },
    ],
    coupons: [
      { id: 'C10', title: '无门槛 ¥10', kind: 'fixed', off: 1_000, validity: { kind: 'days_after_claim', days: 30 } },
      { id: 'C30', title: '满 299 减 30', kind: 'threshold', threshold: 29_900, off: 3_000, validity: { kind: 'window', from, to } },
    ],
    points: { rate: { points: 100, fen: 100 }, maxShareBp: 1_000 },
    freight: { defaultFee: 1_000, byRegion: { 新疆: 2_000, 西藏: 2_000 }, freeOver: 9_900 },
  };
}

/**
 * The shop's delivery modes (docs/delivery.md): express by the freight rule above, local courier
 * within 10 km by distance band (or by district), free from ¥299, and pickup at two stores.
 */
export const DEMO_DELIVERY_RULES: DeliveryRules = {
  local: {
    bands: [
      { upTo: 3_000, fee: 500 },
      { upTo: 5_000, fee: 800 },
      { upTo: 10_000, fee: 1_500 },
    ],
    zones: [
      { id: 'xihu', name: '西湖区', fee: 600 },
      { id: 'shangcheng', name: '上城区', fee: 800 },
    ],
    freeOver: 29_900,
    leadMinutes: 30,
    maxDaysAhead: 3,
  },
  pickup: {
    stores: [
      { id: 'hz-longjing', name: '茶舍·龙井店', address: '杭州市西湖区梅家坞路 18 号', phone: '0571-87000001' },
      { id: 'hz-hubin', name: '茶舍·湖滨店', address: '杭州市上城区湖滨路 8 号', phone: '0571-87000002' },
    ],
    maxDaysAhead: 7,
  },
};

const SHOP_OFFSET_MS = 8 * 3_600_000;

/**
 * One-hour slots the checkout offers (Asia/Shanghai, no daylight saving): from the first whole
 * hour after the lead time, 09:00–21:00, for `days` days.
 */
export function deliverySlots(now: Date, leadMinutes: number, days: number): Array<{ start: string; end: string }> {
  const out: Array<{ start: string; end: string }> = [];
  const hour = 3_600_000;
  let t = Math.ceil((now.getTime() + leadMinutes * 60_000) / hour) * hour;
  const until = now.getTime() + days * 86_400_000;
  const iso = (ms: number) => `${new Date(ms + SHOP_OFFSET_MS).toISOString().slice(0, 19)}+08:00`;
  for (; t < until && out.length < 40; t += hour) {
    const h = new Date(t + SHOP_OFFSET_MS).getUTCHours();
    if (h >= 9 && h < 21) out.push({ start: iso(t), end: iso(t + hour) });
  }
  return out;
}

export interface CartRequest {
  items: Array<{ sku: string; quantity: number }>;
  member?: { level: string };
  region?: string;
  pointsBalance?: number;
  pointsToUse?: number | 'max';
  coupons?: Array<{ id: string; definitionId: string; claimedAt?: string }>;
}

/** The cart `priceCart` prices: catalogue prices for the requested SKUs. */
export function cartFor(request: CartRequest): Cart {
  const lines: CartLine[] = request.items.map((item, i) => {
    const product = BY_SKU.get(item.sku);
    if (!product) {
      throw new OrderkitError({
        code: 'UNKNOWN_SKU',
        message: { 'zh-CN': `商品 ${item.sku} 不存在或已下架`, en: `no product ${item.sku} in the catalogue` },
        path: ['items', i, 'sku'],
      });
    }
    const line: CartLine = { id: `L${i + 1}`, sku: product.sku, title: product.title, category: product.category, listPrice: product.listPrice, quantity: item.quantity };
    if (product.fulfillment) line.fulfillment = product.fulfillment;
    return line;
  });
  const cart: Cart = { lines };
  if (request.member) cart.member = request.member;
  if (request.region) cart.region = request.region;
  if (request.pointsBalance !== undefined) cart.pointsBalance = request.pointsBalance;
  if (request.pointsToUse !== undefined) cart.pointsToUse = request.pointsToUse;
  if (request.coupons) cart.coupons = request.coupons;
  return cart;
}

/** The cart fields that say what a shopper owns: a member level, a points balance, coupons from the wallet. */
const SHOPPER_CLAIMS = ['member', 'pointsBalance', 'pointsToUse', 'coupons'] as const;

type Claims = Partial<Record<(typeof SHOPPER_CLAIMS)[number], unknown>> & { delivery?: { mode: string; distance?: number | undefined } | undefined };

/**
 * Outside DEMO mode a shopper's claims that price the order are refused (403 FORBIDDEN, the field
 * in `path`): a member level, points or coupons (the example keeps no membership, points or coupon
 * wallet to check them against), and the distance of a local delivery, which sets its fee (the
 * shop measures it from the address, docs/delivery.md; the shopper picks a zone instead). The
 * server, not the request, decides what an order costs; a real shop reads these from its own
 * records. Staff placing on a customer's behalf may give them, as they may change a price (改价).
 */
export function refuseShopperClaims(demo: boolean, actor: Actor, body: Claims): void {
  if (demo || actor.type !== 'customer') return;
  const claimed = SHOPPER_CLAIMS.find((field) => body[field] !== undefined);
  const path = claimed !== undefined ? [claimed] : body.delivery?.mode === 'local' && body.delivery.distance !== undefined ? ['delivery', 'distance'] : null;
  if (path === null) return;
  throw new OrderkitError({
    code: 'FORBIDDEN',
    message: {
      'zh-CN': `会员等级、积分、优惠券和同城配送距离以店铺的记录和测量为准，请求中不能指定（${path.join('.')}）`,
      en: `the member level, points, coupons and the distance of a local delivery come from the shop's records and measurements, not from the request (${path.join('.')})`,
    },
    path: ['body', ...path],
  });
}

/**
 * The example's one rule for 配送区域: each zone is named after the district it covers
 * (DEMO_DELIVERY_RULES), and the fee goes by the zone, so outside DEMO mode a shopper's local
 * delivery priced by a zone must go to an address in that district. Returns the zone and the
 * address's district when it does not; null when it does, or when the rule does not apply (demo,
 * staff, who may set a zone or a price themselves, another mode, a zone the rules do not list:
 * orderkit answers DELIVERY_ZONE_UNKNOWN).
 */
function outsideZone(demo: boolean, actor: Actor, delivery: { mode: string; zone?: string | undefined } | undefined, address: unknown, rules: DeliveryRules | undefined): { zone: string; named: string; district: string } | null {
  if (demo || actor.type !== 'customer' || delivery?.mode !== 'local' || delivery.zone === undefined) return null;
  const zone = rules?.local?.zones?.find((z) => z.id === delivery.zone);
  if (zone === undefined) return null;
  const district = typeof address === 'object' && address !== null && typeof (address as { district?: unknown }).district === 'string' ? (address as { district: string }).district : '';
  return district !== '' && zone.name === district ? null : { zone: zone.id, named: zone.name ?? zone.id, district };
}

/** At checkout: the chosen zone must cover the address (422 DELIVERY_ZONE_MISMATCH, `path` the zone). */
export function checkZoneCoversAddress(demo: boolean, actor: Actor, delivery: { mode: string; zone?: string | undefined } | undefined, address: Address | undefined, rules: DeliveryRules | undefined): void {
  const out = address === undefined ? null : outsideZone(demo, actor, delivery, address, rules);
  if (out === null) return;
  throw new OrderkitError({
    code: 'DELIVERY_ZONE_MISMATCH',
    message: {
      'zh-CN': `配送区域 ${out.named} 不含收货地址所在的 ${out.district}，请选择地址所在的区域`,
      en: `delivery zone ${out.named} does not cover the address's district ${out.district}: choose the zone the address is in`,
    },
    path: ['body', 'delivery', 'zone'],
    details: { zone: out.zone, district: out.district },
  });
}

/**
 * A shopper's CHANGE_ADDRESS of an order priced by its zone stays in the zone (422
 * DELIVERY_ZONE_MISMATCH, `path` the new address's district): else an order placed to a cheap
 * district could be moved to a dear one.
 */
export function checkAddressKeepsZone(demo: boolean, actor: Actor, delivery: { mode: string; zone?: string | undefined } | undefined, address: unknown, rules: DeliveryRules | undefined): void {
  const out = outsideZone(demo, actor, delivery, address, rules);
  if (out === null) return;
  const where = out.district ? `（${out.district}）` : '';
  throw new OrderkitError({
    code: 'DELIVERY_ZONE_MISMATCH',
    message: {
      'zh-CN': `新地址${where}不在本单的配送区域 ${out.named} 内，同城配送的费用按区域计算`,
      en: `the new address${out.district ? ` (${out.district})` : ''} is outside this order's delivery zone ${out.named}: a local delivery is priced by its zone`,
    },
    path: ['body', 'address', 'district'],
    details: { zone: out.zone, ...(out.district ? { district: out.district } : {}) },
  });
}
