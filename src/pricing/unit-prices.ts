import type { LocalizedText } from '../errors/orderkit-error.js';
import type { DiscountSource } from '../order/index.js';
import { percentOf } from './arith.js';
import type { CompiledRules, CompiledUnitRule } from './compile-rules.js';
import { inScope } from './scope.js';
import type { Line } from '../order/index.js';
import type { PricingState } from './state.js';
import { reasons } from './texts.js';

/**
 * Stages 1 and 2: 会员价, then 限时折扣. Both change the price of one unit, so they set
 * `line.unitPrice`; what they save is kept as an allocation of (old − new unit price) × quantity,
 * so that for every line `payable = listPrice × quantity − Σ allocations` holds from here on.
 *
 * When several rules of a stage fit a line the lowest resulting price wins (ties: the one listed
 * first; a line's own `memberPrice` counts as listed before every rule). A timed discount's rate
 * applies to the member price: the stages run in order and do not compete.
 */

/** sourceId of a member price that came from the cart line itself (`line.memberPrice`). */
export const LINE_MEMBER_PRICE = '@line';

interface Saved {
  amount: number;
  lineIds: string[];
  reason: LocalizedText;
}

function priceUnder(rule: CompiledUnitRule, line: Line, current: number): number {
  if (rule.offBp !== null) return inScope(rule.scope, line.sku, line.category) ? current - percentOf(current, rule.offBp) : current;
  const price = rule.prices!.get(line.sku);
  return price !== undefined && price < current ? price : current;
}

function note(saved: Map<string, Saved>, id: string, line: Line, amount: number, reason: () => LocalizedText): void {
  const s = saved.get(id);
  if (s) {
    s.amount += amount;
    s.lineIds.push(line.id);
  } else saved.set(id, { amount, lineIds: [line.id], reason: reason() });
}

function flush(state: PricingState, source: DiscountSource, saved: Map<string, Saved>): void {
  saved.forEach((s, sourceId) => {
    state.adjustments.push({ id: `${source}:${sourceId}`, source, sourceId, amount: s.amount, lineIds: s.lineIds, reason: s.reason });
  });
}

export function applyUnitPrices(state: PricingState, rules: CompiledRules): void {
  const level = state.cart.member?.level;
  const members = level === undefined ? [] : rules.memberPrices.filter((r) => r.levels!.has(level));
  const timed = rules.timedDiscounts.filter((r) => r.span.from <= state.now && state.now < r.span.to);
  const memberSaved = new Map<string, Saved>();
  const timedSaved = new Map<string, Saved>();

  for (let k = 0; k < state.sorted.length; k++) {
    const line = state.sorted[k]!;
    let unit = line.listPrice;

    if (level !== undefined) {
      let best = unit;
      let bestId: string | null = null;
      const own = state.sources[k]!.memberPrice;
      if (own !== undefined && own < best) {
        best = own;
        bestId = LINE_MEMBER_PRICE;
      }
      for (const rule of members) {
        const p = priceUnder(rule, line, unit);
        if (p < best) {
          best = p;
          bestId = rule.id;
        }
      }
      if (bestId !== null) {
        const amount = (unit - best) * line.quantity;
        line.allocations.push({ source: 'member_price', sourceId: bestId, amount });
        note(memberSaved, bestId, line, amount, () => reasons.memberPrice(level));
        unit = best;
      }
    }

    let best = unit;
    let bestRule: CompiledUnitRule | null = null;
    for (const rule of timed) {
      const p = priceUnder(rule, line, unit);
      if (p < best) {
        best = p;
        bestRule = rule;
      }
    }
    if (bestRule !== null) {
      const amount = (unit - best) * line.quantity;
      const rule = bestRule;
      line.allocations.push({ source: 'timed_discount', sourceId: rule.id, amount });
      note(timedSaved, rule.id, line, amount, () => (rule.offBp !== null ? reasons.timedPercent(rule.offBp) : reasons.timedPrice()));
      unit = best;
    }

    line.unitPrice = unit;
    state.payables[k] = unit * line.quantity;
  }
  flush(state, 'member_price', memberSaved);
  flush(state, 'timed_discount', timedSaved);
}
