import type { IssuePath, OrderkitIssue } from '../errors/orderkit-error.js';
import type { PricingRules, Scope } from './rule-schemas.js';
import { yuan } from './texts.js';

/**
 * The checks a schema cannot express: relations between fields and between rules. Each returns
 * issues (never throws) so that a shop sees every mistake in its rules at once.
 */

function issue(code: string, path: IssuePath, zh: string, en: string): OrderkitIssue {
  return { code, path, message: { 'zh-CN': zh, en } };
}

function checkWindow(w: { from: string; to: string }, path: IssuePath, out: OrderkitIssue[]): void {
  if (Date.parse(w.from) >= Date.parse(w.to)) {
    out.push(
      issue('RULE_WINDOW_INVERTED', path, `时间窗口的结束（${w.to}）必须晚于开始（${w.from}）`, `the window must end (${w.to}) after it starts (${w.from})`),
    );
  }
}

function checkIds(items: ReadonlyArray<{ id: string }> | undefined, list: string, out: OrderkitIssue[]): void {
  if (!items) return;
  const seen = new Set<string>();
  items.forEach((item, i) => {
    if (seen.has(item.id)) out.push(issue('RULE_DUPLICATE_ID', [list, i, 'id'], `${list} 中的 id ${item.id} 重复`, `id ${item.id} appears twice in ${list}`));
    seen.add(item.id);
  });
}

class Catalogue {
  readonly skus: Set<string> | null;
  readonly categories: Set<string> | null;
  constructor(rules: PricingRules) {
    this.skus = rules.catalogue?.skus ? new Set(rules.catalogue.skus) : null;
    this.categories = rules.catalogue?.categories ? new Set(rules.catalogue.categories) : null;
  }
  sku(sku: string, path: IssuePath, out: OrderkitIssue[]): void {
    if (this.skus && !this.skus.has(sku)) {
      out.push(issue('RULE_UNKNOWN_SKU', path, `商品 ${sku} 不在商品目录中`, `SKU ${sku} is not in the catalogue`));
    }
  }
  category(category: string, path: IssuePath, out: OrderkitIssue[]): void {
    if (this.categories && !this.categories.has(category)) {
      out.push(issue('RULE_UNKNOWN_CATEGORY', path, `类目 ${category} 不在商品目录中`, `category ${category} is not in the catalogue`));
    }
  }
  scope(scope: Scope | undefined, path: IssuePath, out: OrderkitIssue[]): void {
    if (!scope) return;
    if (scope.kind === 'skus') scope.skus.forEach((s, i) => this.sku(s, [...path, 'skus', i], out));
    if (scope.kind === 'category') scope.categories.forEach((c, i) => this.category(c, [...path, 'categories', i], out));
    if (scope.kind !== 'skus' && scope.excludeSkus) scope.excludeSkus.forEach((s, i) => this.sku(s, [...path, 'excludeSkus', i], out));
  }
  prices(prices: Record<string, number>, path: IssuePath, out: OrderkitIssue[]): void {
    for (const sku of Object.keys(prices)) this.sku(sku, [...path, 'prices', sku], out);
  }
}

function offWithinThreshold(threshold: number, off: number, path: IssuePath, out: OrderkitIssue[]): void {
  if (off > threshold) {
    out.push(
      issue(
        'RULE_OFF_EXCEEDS_THRESHOLD',
        path,
        `减免 ${yuan(off)} 大于门槛 ${yuan(threshold)}：是否写反了？`,
        `the amount off (${yuan(off)}) is more than the threshold (${yuan(threshold)}): swapped fields?`,
      ),
    );
  }
}

function checkTiers(tiers: ReadonlyArray<{ threshold: number; off: number }>, path: IssuePath, out: OrderkitIssue[]): void {
  const order = tiers.map((t, i) => ({ ...t, i })).sort((a, b) => a.threshold - b.threshold || a.i - b.i);
  for (let k = 0; k < order.length; k++) {
    const t = order[k]!;
    offWithinThreshold(t.threshold, t.off, [...path, t.i, 'off'], out);
    const prev = order[k - 1];
    if (!prev) continue;
    if (prev.threshold === t.threshold) {
      out.push(
        issue('RULE_TIERS_OVERLAP', [...path, t.i, 'threshold'], `两个档位的门槛都是 ${yuan(t.threshold)}`, `two tiers share the threshold ${yuan(t.threshold)}`),
      );
    } else if (t.off <= prev.off) {
      out.push(
        issue(
          'RULE_TIERS_NOT_INCREASING',
          [...path, t.i, 'off'],
          `满 ${yuan(t.threshold)} 的减免必须多于满 ${yuan(prev.threshold)} 的减免`,
          `the tier at ${yuan(t.threshold)} must save more than the tier at ${yuan(prev.threshold)}`,
        ),
      );
    }
  }
}

/** Every semantic problem in already schema-valid rules. */
export function checkRules(rules: PricingRules): OrderkitIssue[] {
  const out: OrderkitIssue[] = [];
  const cat = new Catalogue(rules);
  checkIds(rules.memberPrices, 'memberPrices', out);
  checkIds(rules.timedDiscounts, 'timedDiscounts', out);
  checkIds(rules.fullReductions, 'fullReductions', out);
  checkIds(rules.coupons, 'coupons', out);

  rules.memberPrices?.forEach((r, i) => {
    if (r.kind === 'percent') cat.scope(r.scope, ['memberPrices', i, 'scope'], out);
    else cat.prices(r.prices, ['memberPrices', i], out);
  });
  rules.timedDiscounts?.forEach((r, i) => {
    checkWindow(r.window, ['timedDiscounts', i, 'window'], out);
    if (r.kind === 'percent') cat.scope(r.scope, ['timedDiscounts', i, 'scope'], out);
    else cat.prices(r.prices, ['timedDiscounts', i], out);
  });
  rules.fullReductions?.forEach((r, i) => {
    const at = ['fullReductions', i];
    if (r.window) checkWindow(r.window, [...at, 'window'], out);
    cat.scope(r.scope, [...at, 'scope'], out);
    if (r.kind === 'threshold') offWithinThreshold(r.threshold, r.off, [...at, 'off'], out);
    if (r.kind === 'per_step') offWithinThreshold(r.step, r.off, [...at, 'off'], out);
    if (r.kind === 'tiered') checkTiers(r.tiers, [...at, 'tiers'], out);
  });
  rules.coupons?.forEach((c, i) => {
    const at = ['coupons', i];
    if (c.validity.kind === 'window') checkWindow(c.validity, [...at, 'validity'], out);
    cat.scope(c.scope, [...at, 'scope'], out);
    if (c.kind === 'threshold') offWithinThreshold(c.threshold, c.off, [...at, 'off'], out);
  });
  return out;
}

