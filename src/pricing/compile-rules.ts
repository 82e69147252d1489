import { errorFromZod } from '../errors/zod-issues.js';
import { OrderkitError } from '../errors/orderkit-error.js';
import { checkRules } from './rule-checks.js';
import {
  PricingRulesSchema,
  type CouponDefinition,
  type FullReductionRule,
  type PointsRule,
  type PricingRules,
} from './rule-schemas.js';
import { compileScope, type CompiledScope } from './scope.js';
import { ok, fail, type Result } from '../errors/result.js';

/** Half-open window in epoch milliseconds; a rule without a window runs always. */
export interface Span {
  readonly from: number;
  readonly to: number;
}
const ALWAYS: Span = { from: -Infinity, to: Infinity };

export interface CompiledUnitRule {
  readonly id: string;
  /** Member levels the rule is for (member prices only). */
  readonly levels: ReadonlySet<string> | null;
  readonly span: Span;
  /** Rate off, or null for a per-SKU price list. */
  readonly offBp: number | null;
  readonly scope: CompiledScope;
  readonly prices: ReadonlyMap<string, number> | null;
}

export interface CompiledFullReduction {
  readonly id: string;
  readonly span: Span;
  readonly scope: CompiledScope;
  /** Tiers sorted by threshold, ascending. */
  readonly rule: FullReductionRule;
}

export interface CompiledCoupon {
  readonly id: string;
  readonly definition: CouponDefinition;
  readonly scope: CompiledScope;
  readonly stackable: boolean;
  readonly exclusiveGroup: string | null;
}

export interface CompiledFreightRow {
  readonly first: number;
  readonly firstFee: number;
  readonly additional: number;
  readonly additionalFee: number;
}

export interface CompiledFreightTemplate {
  readonly id: string;
  readonly charge: 'count' | 'weight' | 'volume';
  readonly byRegion: ReadonlyMap<string, CompiledFreightRow>;
  readonly defaultRow: CompiledFreightRow;
  readonly free: ReadonlyArray<{ readonly regions: ReadonlySet<string> | null; readonly minAmount: number | null; readonly minUnits: number | null }>;
}

export interface CompiledFreight {
  readonly defaultFee: number;
  readonly byRegion: ReadonlyMap<string, number>;
  readonly freeOver: number | null;
  readonly base: 'after_discounts' | 'before_discounts';
  /** 运费模板 by id; empty: the flat fee only. */
  readonly templates: ReadonlyMap<string, CompiledFreightTemplate>;
  readonly defaultTemplate: string | null;
}

export interface CompiledRules {
  readonly memberPrices: readonly CompiledUnitRule[];
  readonly timedDiscounts: readonly CompiledUnitRule[];
  readonly fullReductions: readonly CompiledFullReduction[];
  readonly coupons: ReadonlyMap<string, CompiledCoupon>;
  readonly points: PointsRule | null;
  readonly freight: CompiledFreight | null;
}

/**
 * Pricing rules checked once and indexed for pricing (sets for scopes, maps for price lists,
 * windows as numbers). Make one when the rules change, and hand it to every `priceCart` call:
 * raw rules are accepted too but are re-validated with zod on every call.
 *
 * @example
 * const rules: PricingRuleSet = definePricingRules({ freight: { defaultFee: 800, freeOver: 9900 } });
 * rules.rules.freight?.freeOver // 9900
 */
export class PricingRuleSet {
  /** The validated rules, as data. */
  readonly rules: PricingRules;
  /** @internal the indexed form the engine reads. */
  readonly compiled: CompiledRules;

  /** @internal use `compilePricingRules` or `definePricingRules`. */
  constructor(rules: PricingRules, compiled: CompiledRules) {
    this.rules = rules;
    this.compiled = compiled;
    Object.freeze(this);
  }
}

function priceMap(prices: Record<string, number>): Map<string, number> {
  // A Map, not the record: a SKU named "constructor" must not find Object.prototype's function.
  return new Map(Object.keys(prices).map((sku) => [sku, prices[sku]!]));
}

function span(w: { from: string; to: string } | undefined): Span {
  return w ? { from: Date.parse(w.from), to: Date.parse(w.to) } : ALWAYS;
}

function index(rules: PricingRules): CompiledRules {
  const memberPrices: CompiledUnitRule[] = (rules.memberPrices ?? []).map((r) => ({
    id: r.id,
    levels: new Set(r.levels),
    span: ALWAYS,
    offBp: r.kind === 'percent' ? r.offBp : null,
    scope: compileScope(r.kind === 'percent' ? r.scope : undefined),
    prices: r.kind === 'price' ? priceMap(r.prices) : null,
  }));
  const timedDiscounts: CompiledUnitRule[] = (rules.timedDiscounts ?? []).map((r) => ({
    id: r.id,
    levels: null,
    span: span(r.window),
    offBp: r.kind === 'percent' ? r.offBp : null,
    scope: compileScope(r.kind === 'percent' ? r.scope : undefined),
    prices: r.kind === 'price' ? priceMap(r.prices) : null,
  }));
  const fullReductions = (rules.fullReductions ?? []).map((r) => ({
    id: r.id,
    span: span(r.window),
    scope: compileScope(r.scope),
    rule: r.kind === 'tiered' ? { ...r, tiers: [...r.tiers].sort((a, b) => a.threshold - b.threshold) } : r,
  }));
  const coupons = new Map<string, CompiledCoupon>();
  for (const c of rules.coupons ?? []) {
    coupons.set(c.id, {
      id: c.id,
      definition: c,
      scope: compileScope(c.scope),
      stackable: c.stackable === true,
      exclusiveGroup: c.exclusiveGroup ?? null,
    });
  }
  const f = rules.freight;
  const freight: CompiledFreight | null = f
    ? {
        defaultFee: f.defaultFee,
        byRegion: priceMap(f.byRegion ?? {}),
        freeOver: f.freeOver ?? null,
        base: f.base ?? 'after_discounts',
        templates: new Map(
          (f.templates ?? []).map((t) => {
            const byRegion = new Map<string, CompiledFreightRow>();
            let defaultRow: CompiledFreightRow | undefined;
            for (const row of t.rows) {
              const r: CompiledFreightRow = { first: row.first, firstFee: row.firstFee, additional: row.additional, additionalFee: row.additionalFee };
              if (row.regions === undefined) defaultRow = r;
              else for (const region of row.regions) byRegion.set(region, r);
            }
            const free = (t.free ?? []).map((x) => ({ regions: x.regions ? new Set(x.regions) : null, minAmount: x.minAmount ?? null, minUnits: x.minUnits ?? null }));
            // checkRules guarantees one default row.
            return [t.id, { id: t.id, charge: t.charge, byRegion, defaultRow: defaultRow!, free }] as const;
          }),
        ),
        defaultTemplate: f.defaultTemplate ?? null,
      }
    : null;
  return { memberPrices, timedDiscounts, fullReductions, coupons, points: rules.points ?? null, freight };
}

/**
 * Validates pricing rules (schema, then the checks between fields: inverted windows, overlapping
 * or non-increasing tiers, an amount off above its threshold, duplicate ids, SKUs and categories
 * missing from `catalogue`) and indexes them for fast pricing.
 *
 * @example
 * const r = compilePricingRules({ fullReductions: [{ id: 'mj', kind: 'threshold', threshold: 9900, off: 1000 }] });
 * if (r.ok) priceCart(cart, r.rules, { now });
 */
export function compilePricingRules(rules: unknown): Result<{ rules: PricingRuleSet }> {
  if (rules instanceof PricingRuleSet) return ok({ rules });
  const parsed = PricingRulesSchema.safeParse(rules);
  if (!parsed.success) {
    return fail(errorFromZod('INVALID_RULES', { 'zh-CN': '定价规则无效', en: 'invalid pricing rules' }, parsed.error));
  }
  const issues = checkRules(parsed.data);
  const first = issues[0];
  if (first) {
    const more = issues.length > 1 ? { zh: `（共 ${issues.length} 处问题）`, en: ` (${issues.length} problems)` } : { zh: '', en: '' };
    return fail(new OrderkitError({
        code: first.code,
        message: {
          'zh-CN': `定价规则无效：${first.path.join('.')}：${first.message['zh-CN']}${more.zh}`,
          en: `invalid pricing rules: ${first.path.join('.')}: ${first.message.en}${more.en}`,
        },
        path: first.path,
        issues,
      }));
  }
  return ok({ rules: new PricingRuleSet(parsed.data, index(parsed.data)) });
}

/**
 * Like `compilePricingRules`, but throws the `OrderkitError`: for rules written in the shop's own
 * code at start-up, where a mistake should stop the process.
 *
 * @example
 * export const rules = definePricingRules({
 *   fullReductions: [{ id: 'mj-99-10', kind: 'threshold', threshold: 9900, off: 1000 }],
 *   freight: { defaultFee: 800, freeOver: 9900 },
 * });
 */
export function definePricingRules(rules: PricingRules): PricingRuleSet {
  const r = compilePricingRules(rules);
  if (!r.ok) throw r.error;
  return r.rules;
}
