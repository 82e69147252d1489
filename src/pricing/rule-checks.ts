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

/** Count tiers (满 N 件…): listed ascending by units, each saving more than the one before. */
function checkCountTiers(tiers: ReadonlyArray<{ minUnits: number; off?: number; offBp?: number }>, path: IssuePath, out: OrderkitIssue[]): void {
  for (let i = 1; i < tiers.length; i++) {
    const prev = tiers[i - 1]!;
    const t = tiers[i]!;
    if (t.minUnits <= prev.minUnits) {
      out.push(
        issue(
          'RULE_TIERS_OUT_OF_ORDER',
          [...path, i, 'minUnits'],
          `档位须按件数从小到大排列：第 ${i + 1} 档（${t.minUnits} 件）不大于上一档（${prev.minUnits} 件）`,
          `tiers must be listed by units, ascending: tier ${i + 1} (${t.minUnits} units) is not above the one before (${prev.minUnits})`,
        ),
      );
      continue;
    }
    const a = prev.off ?? prev.offBp ?? 0;
    const b = t.off ?? t.offBp ?? 0;
    if (b <= a) {
      out.push(
        issue('RULE_TIERS_NOT_INCREASING', [...path, i, t.off !== undefined ? 'off' : 'offBp'], `满 ${t.minUnits} 件的优惠必须多于满 ${prev.minUnits} 件的优惠`, `the tier at ${t.minUnits} units must save more than the tier at ${prev.minUnits}`),
      );
    }
  }
}

/** 运费模板: unique ids, one default row, no region in two rows, 包邮 conditions that say something. */
function checkFreight(rules: PricingRules, cat: Catalogue, out: OrderkitIssue[]): void {
  const f = rules.freight;
  if (!f) return;
  const taken = new Set<string>();
  f.templates?.forEach((t, i) => {
    if (taken.has(t.id)) out.push(issue('RULE_DUPLICATE_ID', ['freight', 'templates', i, 'id'], `运费模板 id ${t.id} 重复`, `freight template id ${t.id} appears twice`));
    taken.add(t.id);
  });
  const ids = new Set((f.templates ?? []).map((t) => t.id));
  if (f.defaultTemplate !== undefined && !ids.has(f.defaultTemplate)) {
    out.push(issue('RULE_UNKNOWN_FREIGHT_TEMPLATE', ['freight', 'defaultTemplate'], `运费模板 ${f.defaultTemplate} 不存在`, `freight template ${f.defaultTemplate} does not exist`));
  }
  f.templates?.forEach((t, ti) => {
    const at = ['freight', 'templates', ti];
    const seen = new Map<string, number>();
    let defaults = 0;
    t.rows.forEach((row, ri) => {
      if (row.regions === undefined) {
        defaults++;
        if (defaults > 1) out.push(issue('RULE_FREIGHT_REGION_OVERLAP', [...at, 'rows', ri], '模板只能有一个默认行（不写 regions 的行）', 'a template has one default row (the row without regions) at most'));
        return;
      }
      row.regions.forEach((region, k) => {
        const first = seen.get(region);
        if (first !== undefined) {
          out.push(
            issue('RULE_FREIGHT_REGION_OVERLAP', [...at, 'rows', ri, 'regions', k], `地区「${region}」同时出现在第 ${first + 1} 行和第 ${ri + 1} 行`, `region "${region}" is in row ${first + 1} and row ${ri + 1}`),
          );
        } else seen.set(region, ri);
      });
    });
    if (defaults === 0) {
      out.push(
        issue('RULE_FREIGHT_MISSING_REGIONS', [...at, 'rows'], `模板 ${t.id} 没有默认行：未列出的地区无法计费（加一行不写 regions 的默认行）`, `template ${t.id} has no default row: regions it does not list cannot be priced (add a row without regions)`),
      );
    }
    t.free?.forEach((fr, k) => {
      if (fr.minAmount === undefined && fr.minUnits === undefined) {
        out.push(issue('RULE_FREIGHT_FREE_EMPTY', [...at, 'free', k], '包邮条件需要 minAmount 或 minUnits（或两者）', 'a free-shipping condition needs minAmount or minUnits (or both)'));
      }
    });
  });
  void cat;
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
    if (r.kind === 'count_off' || r.kind === 'count_percent') checkCountTiers(r.tiers, [...at, 'tiers'], out);
    if (r.kind === 'reward' && r.minAmount === undefined && r.minUnits === undefined) {
      out.push(issue('RULE_REWARD_NO_CONDITION', [...at], '满送活动需要 minAmount 或 minUnits（或两者）', 'a reward activity needs minAmount or minUnits (or both)'));
    }
    if (r.rewards?.gift) cat.sku(r.rewards.gift.sku, [...at, 'rewards', 'gift', 'sku'], out);
  });
  checkFreight(rules, cat, out);
  const p = rules.points;
  if (p?.maxPoints !== undefined && p.maxPoints < p.rate.points) {
    out.push(
      issue('RULE_POINTS_CAP_BELOW_BLOCK', ['points', 'maxPoints'], `每单最多 ${p.maxPoints} 积分，少于一次抵扣所需的 ${p.rate.points} 积分`, `maxPoints (${p.maxPoints}) is below one block of ${p.rate.points} points`),
    );
  }
  rules.coupons?.forEach((c, i) => {
    const at = ['coupons', i];
    if (c.validity.kind === 'window') checkWindow(c.validity, [...at, 'validity'], out);
    cat.scope(c.scope, [...at, 'scope'], out);
    if (c.kind === 'threshold') offWithinThreshold(c.threshold, c.off, [...at, 'off'], out);
  });
  return out;
}

