import type { LocalizedText } from '../errors/orderkit-error.js';
import { OrderkitError } from '../errors/orderkit-error.js';
import { percentOf, poolOf, takeShare } from './arith.js';
import type { Rewards } from './rule-schemas.js';
import type { CompiledFullReduction, CompiledRules } from './compile-rules.js';
import { inScope } from './scope.js';
import { membersOf, recordDiscount, type PricingState } from './state.js';
import { reasons } from './texts.js';

/**
 * What a 满减 activity takes off `base` (the lines in its scope, at their current payable), with
 * the sentence that explains it; null when the threshold is not reached.
 *
 * @example
 * fullReductionOff({ id: 'mj', kind: 'per_step', step: 10000, off: 1500 }, 35000) // 4500: 每满 100 减 15, three times
 */
export function fullReductionOff(rule: CompiledFullReduction['rule'], base: number, units = 0): { off: number; reason: LocalizedText } | null {
  switch (rule.kind) {
    case 'threshold':
      return base >= rule.threshold ? { off: rule.off, reason: reasons.threshold(rule.threshold, rule.off) } : null;
    case 'tiered': {
      // Tiers are sorted ascending at compile time; the highest one reached applies.
      let hit: { threshold: number; off: number } | null = null;
      for (const tier of rule.tiers) if (base >= tier.threshold) hit = tier;
      return hit ? { off: hit.off, reason: reasons.threshold(hit.threshold, hit.off) } : null;
    }
    case 'per_step': {
      const times = Math.floor(base / rule.step);
      if (times === 0) return null;
      const uncapped = times * rule.off;
      const capped = rule.cap !== undefined && uncapped > rule.cap;
      const off = capped ? rule.cap! : uncapped;
      return { off, reason: reasons.perStep(rule.step, rule.off, times, rule.cap, capped) };
    }
    case 'count_off': {
      // Tiers are listed ascending (checked at compile time): the highest one reached applies.
      let hit: { minUnits: number; off: number } | null = null;
      for (const tier of rule.tiers) if (units >= tier.minUnits) hit = tier;
      return hit ? { off: hit.off, reason: reasons.countOff(hit.minUnits, hit.off) } : null;
    }
    case 'count_percent': {
      let hit: { minUnits: number; offBp: number } | null = null;
      for (const tier of rule.tiers) if (units >= tier.minUnits) hit = tier;
      return hit ? { off: percentOf(base, hit.offBp), reason: reasons.countPercent(hit.minUnits, hit.offBp) } : null;
    }
    case 'reward': {
      const ok = (rule.minAmount === undefined || base >= rule.minAmount) && (rule.minUnits === undefined || units >= rule.minUnits);
      return ok ? { off: 0, reason: reasons.reward(rule.minAmount, rule.minUnits) } : null;
    }
  }
}

/**
 * Stage 3: each 满减 activity running now, in the order the rules list them, over the lines in its
 * scope. The threshold looks at those lines' payable after member prices and timed discounts (and
 * after any activity listed earlier).
 */
export function applyFullReductions(state: PricingState, rules: CompiledRules): void {
  for (const fr of rules.fullReductions) {
    if (!(fr.span.from <= state.now && state.now < fr.span.to)) continue;
    const members = membersOf(state, (l) => inScope(fr.scope, l.sku, l.category));
    // Units only matter to the count-based kinds: amount-based 满减 skip the loop.
    const kind = fr.rule.kind;
    let units = 0;
    if (kind === 'count_off' || kind === 'count_percent' || kind === 'reward') for (let k = 0; k < members.length; k++) units += state.sorted[members[k]!]!.quantity;
    const hit = fullReductionOff(fr.rule, poolOf(state.payables, members), units);
    if (hit === null) continue;
    if (hit.off > 0) {
      const { taken, parts } = takeShare(state.payables, members, hit.off);
      if (taken > 0) recordDiscount(state, members, parts, 'full_reduction', fr.id, taken, hit.reason);
    }
    const rewards = fr.rule.rewards;
    if (rewards !== undefined) reward(state, fr.id, rewards);
  }
}

/** The id of the gift line a 满减送 activity adds (docs/pricing.md "Rewards"). */
const giftLineId = (activityId: string) => `gift:${activityId}`;

/**
 * A 满减送 gift line of a priced order: the activity's reward (id `gift:<activity id>`, list price
 * 0), not goods the shopper chose. 再来一单 leaves it out (./reorder.ts): today's promotion adds its
 * gift again if the new cart qualifies.
 */
export function isGiftLine(line: { id: string; listPrice: number }): boolean {
  return line.listPrice === 0 && line.id.startsWith(giftLineId(''));
}

/** 满减送: note what the activity gives besides money off (freight and points are settled later). */
function reward(state: PricingState, id: string, rewards: Rewards): void {
  const got = state.rewards;
  if (rewards.freeShipping === true && got.freeShipping === null) got.freeShipping = id;
  if (rewards.bonusPoints !== undefined) got.bonusPoints += rewards.bonusPoints;
  const gift = rewards.gift;
  if (gift !== undefined) {
    const lineId = giftLineId(id);
    for (const l of state.lines) {
      if (l.id === lineId) {
        throw new OrderkitError({
          code: 'GIFT_LINE_ID_TAKEN',
          message: { 'zh-CN': `商品行 id ${lineId} 留给活动 ${id} 的赠品`, en: `line id ${lineId} is kept for the gift of activity ${id}` },
          path: ['lines', state.lines.indexOf(l), 'id'],
        });
      }
    }
    got.gifts.push({
      id: lineId,
      sku: gift.sku,
      title: gift.title,
      fulfillment: 'physical',
      listPrice: 0,
      unitPrice: 0,
      quantity: gift.quantity,
      subtotal: 0,
      allocations: [],
      payable: 0,
    });
  }
}
