import type { LocalizedText } from '../errors/orderkit-error.js';
import { poolOf, takeShare } from './arith.js';
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
export function fullReductionOff(rule: CompiledFullReduction['rule'], base: number): { off: number; reason: LocalizedText } | null {
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
    const hit = fullReductionOff(fr.rule, poolOf(state.payables, members));
    if (hit === null) continue;
    const { taken, parts } = takeShare(state.payables, members, hit.off);
    if (taken > 0) recordDiscount(state, members, parts, 'full_reduction', fr.id, taken, hit.reason);
  }
}
