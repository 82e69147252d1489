import { PRODUCTS } from '../catalog.js';
import type { Random } from './random.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/** One thing that happens to one order at one moment of the simulated month. */
export type StepKind =
  | 'place'
  | 'pay'
  | 'cancel'
  | 'ship'
  | 'deliver'
  | 'confirm'
  | 'refundBeforeShipment'
  | 'refundDamaged'
  | 'requestReturn'
  | 'approve'
  | 'reject'
  | 'returnShipped'
  | 'returnReceived'
  | 'settleRefunds';

export interface Step {
  at: number;
  orderId: string;
  kind: StepKind;
}

export interface PlannedOrder {
  id: string;
  customerId: string;
  placedAt: number;
  items: Array<{ sku: string; quantity: number }>;
  member: boolean;
  coupon: boolean;
  points: boolean;
  province: string;
  /** The sales channel the order came through. */
  channel: string;
}

/**
 * A customer's usual channel, from their id (no draw from the shared random stream, so the rest
 * of the plan stays what it was for a seed); evening orders of one customer in three come from
 * the live stream.
 */
function channelOf(customerId: string, hour: number): string {
  let h = 0;
  for (let i = 0; i < customerId.length; i++) h = (h * 31 + customerId.charCodeAt(i)) >>> 0;
  if (hour >= 19 && h % 3 === 0) return 'live';
  return ['mini_program', 'mini_program', 'share', 'live'][h % 4]!;
}

/**
 * A customer's home province, from their id (like `channelOf`, no draw from the shared stream): a
 * repeat customer orders to the same address four times in five; the other orders go where the
 * order's own draw says (a gift to family, an office elsewhere).
 */
function provinceOf(customerId: string, drawn: string): string {
  let h = 7;
  for (let i = 0; i < customerId.length; i++) h = (h * 131 + customerId.charCodeAt(i)) >>> 0;
  if (h % 5 === 0) return drawn;
  const total = PROVINCES.reduce((s, [, w]) => s + w, 0);
  let pick = (h >>> 3) % total;
  for (const [p, w] of PROVINCES) {
    if (pick < w) return p;
    pick -= w;
  }
  return drawn;
}

const PROVINCES: ReadonlyArray<readonly [string, number]> = [
  ['浙江', 20], ['上海', 18], ['江苏', 16], ['广东', 16], ['北京', 12], ['四川', 8], ['福建', 6], ['新疆', 2],
];
/** Orders per hour of the day (Shanghai time): a lunch bump and an evening peak. */
const HOUR_WEIGHTS = [2, 1, 1, 1, 1, 1, 2, 3, 5, 6, 7, 8, 10, 9, 7, 6, 6, 7, 8, 10, 12, 13, 11, 6];
const SKU_WEIGHTS: ReadonlyArray<readonly [string, number]> = PRODUCTS.map((p) => [p.sku, p.sku.startsWith('TEA') ? 10 : p.sku === 'POT-YX' ? 2 : 4] as const);

/**
 * A month of a small tea shop: a rising trend, busier weekends and evenings, most orders paid
 * within minutes, some left to time out, shipments mostly within a day and a few late ones (the
 * SLA breaches the dashboard should reveal), deliveries, confirmations, refunds before shipment,
 * partial refunds for damaged goods, and returns. Steps after `end` are left for the live shop.
 */
export function planMonth(rand: Random, end: number, days: number, newOrderId: (at: number) => string): { orders: PlannedOrder[]; steps: Step[] } {
  const orders: PlannedOrder[] = [];
  const steps: Step[] = [];
  const start = end - days * DAY;
  const add = (order: PlannedOrder, kind: StepKind, at: number) => {
    if (at < end) steps.push({ at, orderId: order.id, kind });
  };
  // Local (UTC+8) calendar days, the last one the day holding the moment before `end`, cut at `end`.
  const lastMidnight = Math.floor((end - 1 + 8 * HOUR) / DAY) * DAY - 8 * HOUR;
  for (let d = 0; d < days; d++) {
    const dayStart = lastMidnight - (days - 1 - d) * DAY;
    const weekday = new Date(dayStart + 8 * HOUR).getUTCDay();
    const trend = 26 + (16 * d) / days;
    const count = Math.round(trend * (weekday === 0 || weekday === 6 ? 1.25 : 1) * (0.85 + 0.3 * rand.next()));
    for (let i = 0; i < count; i++) {
      // Hours of the Shanghai day (UTC+8): pick a local hour, then a moment inside it.
      const hour = rand.weighted(HOUR_WEIGHTS.map((w, h) => [h, w] as const));
      const placedAt = dayStart + hour * HOUR + Math.floor(rand.next() * HOUR);
      if (placedAt >= end || placedAt < start) continue;
      const lines = rand.weighted([[1, 6], [2, 3], [3, 1]] as const);
      const skus = new Set<string>();
      while (skus.size < lines) skus.add(rand.weighted(SKU_WEIGHTS));
      const order: PlannedOrder = {
        id: newOrderId(placedAt),
        customerId: `c${String(Math.floor(1 + 400 * rand.next() ** 1.6)).padStart(3, '0')}`,
        placedAt,
        items: [...skus].map((sku) => ({ sku, quantity: rand.weighted([[1, 8], [2, 3], [3, 1]] as const) })),
        member: rand.chance(0.2),
        coupon: rand.chance(0.15),
        points: rand.chance(0.1),
        province: rand.weighted(PROVINCES),
        channel: '',
      };
      order.channel = channelOf(order.customerId, hour);
      order.province = provinceOf(order.customerId, order.province);
      orders.push(order);
      add(order, 'place', placedAt);
      planAfterPlacement(rand, order, add);
    }
  }
  steps.sort((a, b) => a.at - b.at);
  return { orders, steps };
}

function planAfterPlacement(rand: Random, o: PlannedOrder, add: (o: PlannedOrder, kind: StepKind, at: number) => void): void {
  const fate = rand.next();
  if (fate < 0.07) return; // never paid: the sweeper closes it after 30 minutes
  if (fate < 0.1) return add(o, 'cancel', o.placedAt + rand.skewed(MIN, 20 * MIN));
  const paidAt = o.placedAt + rand.skewed(20_000, 25 * MIN);
  add(o, 'pay', paidAt);
  if (rand.chance(0.03)) {
    const asked = paidAt + rand.skewed(10 * MIN, 6 * HOUR);
    add(o, 'refundBeforeShipment', asked);
    return add(o, 'settleRefunds', asked + rand.skewed(5 * MIN, 2 * HOUR));
  }
  const shippedAt = paidAt + (rand.chance(0.08) ? rand.int(49, 90) * HOUR : rand.skewed(HOUR, 40 * HOUR));
  add(o, 'ship', shippedAt);
  const deliveredAt = rand.chance(0.7) ? shippedAt + rand.skewed(18 * HOUR, 4 * DAY) : NaN;
  if (!Number.isNaN(deliveredAt)) add(o, 'deliver', deliveredAt);
  const after = Number.isNaN(deliveredAt) ? shippedAt + 2 * DAY : deliveredAt;
  const trouble = rand.next();
  if (trouble < 0.05) {
    const asked = after + rand.skewed(2 * HOUR, 2 * DAY);
    add(o, 'requestReturn', asked);
    const approved = asked + rand.skewed(HOUR, 20 * HOUR);
    add(o, 'approve', approved);
    const sent = approved + rand.skewed(6 * HOUR, 2 * DAY);
    add(o, 'returnShipped', sent);
    const received = sent + rand.skewed(DAY, 3 * DAY);
    add(o, 'returnReceived', received);
    add(o, 'settleRefunds', received + rand.skewed(10 * MIN, 3 * HOUR));
    return;
  }
  if (trouble < 0.07) {
    const asked = shippedAt + rand.skewed(DAY, 3 * DAY);
    add(o, 'refundDamaged', asked);
    const approved = asked + rand.skewed(HOUR, 12 * HOUR);
    add(o, 'approve', approved);
    add(o, 'settleRefunds', approved + rand.skewed(10 * MIN, 2 * HOUR));
    return;
  }
  if (trouble < 0.08) {
    const asked = after + rand.skewed(2 * HOUR, 2 * DAY);
    add(o, 'requestReturn', asked);
    add(o, 'reject', asked + rand.skewed(3 * HOUR, 20 * HOUR));
  }
  // Most shoppers confirm within days; the rest are confirmed by the sweeper after 7 days.
  if (rand.chance(0.65)) add(o, 'confirm', Math.min(after + rand.skewed(2 * HOUR, 4 * DAY), shippedAt + 6.5 * DAY));
}
