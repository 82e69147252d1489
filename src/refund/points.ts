import { allocate } from '../money/allocate.js';
import type { AfterSale, Line, Order } from '../order/index.js';
import { cumulativeShare } from './unit-shares.js';

/**
 * Points after the order (docs/pricing.md "Points after the order"): which spent points go back
 * and which earned points the shopper keeps, read from the stored order — never from the rules.
 *
 * - Spent points are split over the lines by largest remainder in proportion to each line's
 *   `points` allocation (the fen the points paid there), then over a line's units the way its
 *   payable is (`cumulativeShare`): the first `P mod quantity` units carry one point more. So
 *   points, like money, are exact in whole points and add up however a line is refunded.
 * - Earned points (赠送积分) are `floor(Σ payable / rate.fen) × rate.points + bonus`, split over the
 *   lines by their payable, then over units the same way.
 * - A unit counts as refunded once its after-sale is `refunded` (the money is back). A negotiated
 *   after-sale (an accepted offer below its quote) counts for the agreed part of its units' points,
 *   rounded down. A closed order keeps nothing: every spent point is released and every earned
 *   point is taken back.
 */

/** Lines in the stable order every split uses: SKU, then line id (docs/pricing.md "Money rules"). */
function stableLines(order: Order): Line[] {
  return order.lines.slice().sort((x, y) => (x.sku !== y.sku ? (x.sku < y.sku ? -1 : 1) : x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
}

function split(total: number, lines: readonly Line[], weight: (l: Line) => number): Map<string, number> {
  const out = new Map<string, number>();
  if (total === 0) {
    for (const l of lines) out.set(l.id, 0);
    return out;
  }
  let weights = lines.map(weight);
  // Nothing to weigh by (a hand-made order, goods that cost nothing): spread by units.
  if (!weights.some((w) => w > 0)) weights = lines.map((l) => l.quantity);
  const parts = allocate(total, weights);
  lines.forEach((l, i) => out.set(l.id, parts[i]!));
  return out;
}

/**
 * The points each line's spending took, Σ = `pricing.pointsUsed`.
 *
 * @example
 * spentPointsByLine(order).get('L1') // 954
 */
export function spentPointsByLine(order: Order): Map<string, number> {
  return split(order.pricing.pointsUsed, stableLines(order), (l) => {
    let fen = 0;
    for (const a of l.allocations) if (a.source === 'points') fen += a.amount;
    return Math.max(0, fen);
  });
}

/**
 * What the order earns on completion (赠送积分) with nothing refunded: whole blocks of goods paid
 * plus the bonus. 0 without `pricing.pointsEarn`.
 *
 * @example
 * earnablePoints(order) // 157 for ¥157.94 of goods at 1 point per yuan
 */
export function earnablePoints(order: Order): number {
  const earn = order.pricing.pointsEarn;
  if (earn === undefined) return 0;
  let goods = 0;
  for (const l of order.lines) goods += l.payable;
  const byRate = earn.rate === undefined ? 0 : Math.floor(goods / earn.rate.fen) * earn.rate.points;
  return byRate + (earn.bonus ?? 0);
}

/**
 * The earned points each line carries, Σ = `earnablePoints(order)`.
 *
 * @example
 * earnedPointsByLine(order).get('L1') // 88
 */
export function earnedPointsByLine(order: Order): Map<string, number> {
  return split(earnablePoints(order), stableLines(order), (l) => l.payable);
}

/**
 * Units per line whose money is back: the items of after-sales that ended `refunded`.
 *
 * @example
 * refundedUnits(order).get('L1') // 2
 */
export function refundedUnits(order: Order): Map<string, number> {
  const out = new Map<string, number>();
  for (const a of order.afterSales) {
    if (a.status !== 'refunded') continue;
    for (const item of a.items) out.set(item.lineId, (out.get(item.lineId) ?? 0) + item.quantity);
  }
  return out;
}

/**
 * An after-sale settled by an accepted offer for less than its quote (协商退款, docs/after-sales.md
 * "Negotiated refunds"): `[agreed, quoted]`. Undefined for any other after-sale (a return shipping
 * fee changes the amount but not the part of the goods that came back).
 */
function agreedPart(a: AfterSale): [number, number] | undefined {
  if (a.quotedAmount === undefined || a.proposals === undefined) return undefined;
  let agreed: number | undefined;
  for (const p of a.proposals) if (p.status === 'accepted') agreed = p.amount;
  if (agreed === undefined || agreed >= a.quotedAmount || a.quotedAmount <= 0) return undefined;
  return [agreed, a.quotedAmount];
}

/** floor(x × num / den) without leaving the safe integers. */
function scaledDown(x: number, num: number, den: number): number {
  const product = x * num;
  return Number.isSafeInteger(product) ? Math.floor(product / den) : Number((BigInt(x) * BigInt(num)) / BigInt(den));
}

/**
 * The points (`perLine`, spread over each line's units like its payable) of the units whose money
 * is back: the items of the after-sales that ended `refunded`, unit by unit in the after-sales'
 * order, so that they add up like `cumulativeShare`. A negotiated after-sale gives back only the
 * agreed part of its units' points, rounded down, as its money is only the agreed part
 * (docs/pricing.md "Points after the order").
 */
function refundedShare(order: Order, perLine: Map<string, number>): number {
  const units = new Map<string, number>();
  let sum = 0;
  for (const a of order.afterSales) {
    if (a.status !== 'refunded') continue;
    let own = 0;
    for (const item of a.items) {
      const line = order.lines.find((l) => l.id === item.lineId);
      if (line === undefined) continue;
      const before = Math.min(line.quantity, units.get(line.id) ?? 0);
      const after = Math.min(line.quantity, before + item.quantity);
      units.set(line.id, after);
      const share = { payable: perLine.get(line.id) ?? 0, quantity: line.quantity };
      own += cumulativeShare(share, after) - cumulativeShare(share, before);
    }
    const part = agreedPart(a);
    sum += part === undefined ? own : scaledDown(own, part[0], part[1]);
  }
  return sum;
}

/** Where points should stand now, from the order alone. */
export interface PointsTargets {
  /** Spent points that should have gone back: all of them once the order closes. */
  released: number;
  /** Earned points the shopper should hold: 0 before completion and after a close. */
  earned: number;
}

/**
 * The points targets of an order. `closing`: the order is closed, or closes in this step.
 *
 * @example
 * pointsTargets(order, { closing: false }) // { released: 746, earned: 0 }
 */
export function pointsTargets(order: Order, options: { closing: boolean }): PointsTargets {
  if (options.closing) return { released: order.pricing.pointsUsed, earned: 0 };
  const released = order.pricing.pointsUsed === 0 ? 0 : refundedShare(order, spentPointsByLine(order));
  let earned = 0;
  if (order.completedAt !== undefined) {
    const all = earnablePoints(order);
    earned = all === 0 ? 0 : all - refundedShare(order, earnedPointsByLine(order));
  }
  return { released, earned };
}

/** What settling moves: each > 0 or absent, and the order's new `points` record. */
export interface PointsSettlement {
  release: number;
  grant: number;
  clawback: number;
  points: NonNullable<Order['points']>;
}

/**
 * Brings `order.points` to its targets: releases spent points not yet released, grants the earned
 * points once on completion (less what refunds before it took), claws back what later refunds
 * take. Never moves a point twice: everything is a difference against what was already moved.
 * Returns null when nothing moves.
 *
 * @example
 * const s = settlePoints(order, { closing: true, at: now.toISOString() });
 * s?.release // every spent point not yet given back
 */
export function settlePoints(order: Order, options: { closing: boolean; at: string }): PointsSettlement | null {
  // Most orders neither spend nor earn points: nothing to work out.
  if (order.pricing.pointsUsed === 0 && order.pricing.pointsEarn === undefined && order.points === undefined) return null;
  const current = order.points ?? { released: 0, granted: 0, clawedBack: 0 };
  const target = pointsTargets(order, options);
  const release = Math.max(0, target.released - current.released);
  let grant = 0;
  let clawback = 0;
  const next: NonNullable<Order['points']> = { ...current, released: current.released + release };
  if (current.grantedAt === undefined) {
    // Granted once, at completion; an order that closes before completing never earns.
    if (order.completedAt !== undefined && !options.closing && order.pricing.pointsEarn !== undefined) {
      grant = target.earned;
      next.granted = current.granted + grant;
      next.grantedAt = options.at;
    }
  } else {
    clawback = Math.max(0, current.granted - current.clawedBack - target.earned);
    next.clawedBack = current.clawedBack + clawback;
  }
  const firstGrant = next.grantedAt !== undefined && current.grantedAt === undefined;
  if (release === 0 && grant === 0 && clawback === 0 && !firstGrant) return null;
  return { release, grant, clawback, points: next };
}
