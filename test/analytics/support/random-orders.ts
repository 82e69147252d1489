import fc from 'fast-check';
import type { Order } from '../../../src/order/index.js';
import { buildOrder, type OrderPlan } from './build-order.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const SKUS = ['TEA-01', 'TEA-02', 'CUP-01', 'POT-01', 'GIFT-09', '茶-龙井'];

/**
 * A seeded, dependency-free generator of plausible shop histories: most orders paid, some timing
 * out, parcels within hours to days, refunds of every status. Used by the SQL agreement test and
 * by the benchmark, where fast-check would be too slow for a million orders.
 */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    // xorshift32: deterministic and fast; quality is plenty for test data.
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

export const PROVINCES = ['广东省', '浙江省', '上海市', '北京市', '四川省', ''];
export const CHANNELS = ['mini_program', 'live', 'share'];
const AFTER_SALE_REASONS = ['尺码不合适', '质量问题', '不想要了'];

/**
 * Who bought, where from and how: a customer out of `customers`, a province (or none), a channel
 * (or none), a coupon on one order in four, an after-sale reason on after-sale refunds. Drawn from
 * its own generator so that the rest of the plan is what it always was for a seed.
 */
export function decorate(plan: OrderPlan, rand: () => number, customers: number): OrderPlan {
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  plan.customerId = `c${int(1, customers)}`;
  const p = int(0, PROVINCES.length);
  if (p < PROVINCES.length) plan.province = PROVINCES[p]!;
  const c = int(0, CHANNELS.length);
  if (c < CHANNELS.length) plan.channel = CHANNELS[c]!;
  if (rand() < 0.25) plan.coupon = int(100, 2000);
  for (const r of plan.refunds ?? []) if (r.reason === undefined && rand() < 0.8) r.afterSaleReason = AFTER_SALE_REASONS[int(0, AFTER_SALE_REASONS.length - 1)]!;
  return plan;
}

export function randomPlan(rand: () => number, id: string, start: number, spanMs: number): OrderPlan {
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const placedAt = start + Math.floor(rand() * spanMs);
  const lineCount = int(1, 3);
  const lines = Array.from({ length: lineCount }, () => ({
    sku: SKUS[int(0, SKUS.length - 1)]!,
    quantity: int(1, 4),
    payable: int(0, 50_000),
  }));
  const plan: OrderPlan = { id, placedAt, lines, freight: rand() < 0.5 ? 0 : 1000 };
  const r = rand();
  if (r < 0.15) {
    plan.closedUnpaid = rand() < 0.7 ? 'payment_timeout' : 'customer_cancelled';
    return plan;
  }
  if (r < 0.2) return plan; // still unpaid
  plan.paidAfterMs = int(1_000, 25 * 60_000);
  const total = lines.reduce((s, l) => s + l.payable, 0) + plan.freight!;
  const shipRoll = rand();
  if (shipRoll > 0.1) {
    const parcels = shipRoll > 0.85 ? lineCount + 1 : lineCount;
    plan.parcelsAfterPaidMs = Array.from({ length: Math.min(parcels, lineCount) }, () => int(10 * 60_000, 4 * DAY));
    if (rand() < 0.5) plan.deliveredAfterShippedMs = int(HOUR, 5 * DAY);
    if (rand() < 0.75) plan.completedAfterShippedMs = int(DAY, 8 * DAY);
  }
  if (rand() < 0.2 && total > 0) {
    const statuses = ['succeeded', 'succeeded', 'pending', 'failed'] as const;
    const n = int(1, 2);
    plan.refunds = Array.from({ length: n }, () => ({
      amount: int(1, Math.max(1, Math.floor(total / 2))),
      status: statuses[int(0, 3)]!,
      afterMs: int(HOUR, 10 * DAY),
    }));
    if (rand() < 0.1) plan.refunds.push({ amount: int(1, 5000), status: 'succeeded', reason: 'stray_payment' });
  }
  return plan;
}

/** `count` orders placed within `spanMs` after `start`, reproducible from `seed`. */
export function randomOrders(count: number, seed: number, start: number, spanMs: number, customers = 0): Order[] {
  const rand = seededRandom(seed);
  const more = seededRandom(seed ^ 0x5bd1e995);
  return Array.from({ length: count }, (_, i) => {
    const plan = randomPlan(rand, `o${seed}-${i}`, start, spanMs);
    return buildOrder(customers > 0 ? decorate(plan, more, customers) : plan);
  });
}

/** fast-check arbitrary of order lists around a fixed month. */
export const START = Date.parse('2026-10-01T00:00:00Z');
export const ordersArb = fc
  .tuple(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 1, max: 2 ** 31 - 1 }))
  .map(([n, seed]) => randomOrders(n, seed, START, 40 * DAY));
