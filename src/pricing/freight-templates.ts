import { OrderkitError } from '../errors/orderkit-error.js';
import type { CompiledFreight, CompiledFreightRow, CompiledFreightTemplate } from './compile-rules.js';
import type { PricingState } from './state.js';

/**
 * 运费模板 (docs/pricing.md "Freight templates"). The physical lines are grouped by template (the
 * line's `freightTemplate`, else `defaultTemplate`; lines under neither pay the flat fee as one
 * group). Each template is charged once for all its lines, as the big malls do, and the fees of
 * the templates are added up:
 *
 *   fee = firstFee                                   when measure ≤ first
 *   fee = firstFee + ⌈(measure − first) ÷ additional⌉ × additionalFee   otherwise
 *
 * with measure = Σ quantity (count), Σ weight × quantity in g (weight) or Σ volume × quantity in
 * cm³ (volume), and the row of the cart's region, else the template's default row. A template is
 * free when one of its 包邮 conditions for the region holds: the template's goods amount ≥
 * `minAmount` and/or its units ≥ `minUnits` (both, when both are given). The amount is the lines'
 * payable after 满减 and coupons and before points (`base: 'after_discounts'`, the default), or
 * Σ list price × quantity (`before_discounts`).
 */

/** One template's (or the flat fee's) part of the freight. */
export interface FreightPart {
  /** null: the flat fee of lines under no template. */
  templateId: string | null;
  lineIds: string[];
  /** Units (count), grams (weight) or cm³ (volume) charged; units for the flat fee. */
  measure: number;
  units: number;
  /** The base of the 包邮 amount condition. */
  amount: number;
  /** Before any waiver. */
  fee: number;
  /** True when a 包邮 condition of the template (or the flat `freeOver`) waived it. */
  free: boolean;
}

export interface FreightPlan {
  parts: FreightPart[];
  /** Σ fee of the parts not free. */
  fee: number;
  /** Σ fee before waivers. */
  gross: number;
  /** No region yet while some goods ship under a template: the fee is not known. */
  pending: boolean;
}

/**
 * Whether any line is priced by a template: a line names one, or the rules have a
 * `defaultTemplate`. Templates that no line uses change nothing: such a cart pays the flat fee
 * exactly as under rules without templates (the same 包邮 base, virtual goods included, and the
 * same free-shipping step in the coupon search).
 */
export function usesTemplates(state: PricingState, freight: CompiledFreight | null): boolean {
  if (freight !== null && freight.defaultTemplate !== null) return true;
  return state.namesTemplate;
}

/** The row fee for `measure`: first unit(s), then every started step of additional units. */
export function rowFee(row: CompiledFreightRow, measure: number): number {
  if (measure <= row.first) return row.firstFee;
  return row.firstFee + Math.ceil((measure - row.first) / row.additional) * row.additionalFee;
}

function unknownTemplate(state: PricingState, k: number, id: string): OrderkitError {
  const i = state.cart.lines.indexOf(state.sources[k]!);
  return new OrderkitError({
    code: 'FREIGHT_TEMPLATE_UNKNOWN',
    message: { 'zh-CN': `运费模板 ${id} 不存在`, en: `freight template ${id} does not exist` },
    path: ['lines', i, 'freightTemplate'],
  });
}

/**
 * The freight of the cart by template, from the payables as they are now (call it after coupons,
 * before points). Throws `FREIGHT_TEMPLATE_UNKNOWN` for a line naming a template the rules lack.
 */
export function planFreight(state: PricingState, freight: CompiledFreight | null): FreightPlan {
  const groups = new Map<string | null, number[]>();
  for (let k = 0; k < state.sorted.length; k++) {
    if (state.sorted[k]!.fulfillment !== 'physical') continue;
    const named = state.sources[k]!.freightTemplate;
    const id = named ?? freight?.defaultTemplate ?? null;
    if (id !== null && (freight === null || !freight.templates.has(id))) throw unknownTemplate(state, k, id);
    const g = groups.get(id);
    if (g) g.push(k);
    else groups.set(id, [k]);
  }
  const region = state.cart.region;
  const beforeDiscounts = freight !== null && freight.base === 'before_discounts';
  const parts: FreightPart[] = [];
  let fee = 0;
  let gross = 0;
  let pending = false;
  groups.forEach((members, id) => {
    let units = 0;
    let amount = 0;
    let weight = 0;
    let volume = 0;
    const lineIds: string[] = [];
    for (const k of members) {
      const line = state.sorted[k]!;
      const src = state.sources[k]!;
      units += line.quantity;
      amount += beforeDiscounts ? line.listPrice * line.quantity : state.payables[k]!;
      weight += (src.weight ?? 0) * line.quantity;
      volume += (src.volume ?? 0) * line.quantity;
      lineIds.push(line.id);
    }
    if (id === null) {
      // The flat fee (docs/pricing.md "Freight and the free-shipping threshold").
      const f = freight!;
      const flat = region === undefined ? f.defaultFee : (f.byRegion.get(region) ?? f.defaultFee);
      const free = flat > 0 && f.freeOver !== null && amount >= f.freeOver;
      parts.push({ templateId: null, lineIds, measure: units, units, amount, fee: flat, free });
      gross += flat;
      if (!free) fee += flat;
      return;
    }
    const t: CompiledFreightTemplate = freight!.templates.get(id)!;
    if (region === undefined) {
      pending = true;
      parts.push({ templateId: id, lineIds, measure: 0, units, amount, fee: 0, free: false });
      return;
    }
    const row = t.byRegion.get(region) ?? t.defaultRow;
    const measure = t.charge === 'count' ? units : t.charge === 'weight' ? weight : volume;
    const charged = rowFee(row, measure);
    let free = false;
    for (const c of t.free) {
      if (c.regions !== null && !c.regions.has(region)) continue;
      if ((c.minAmount === null || amount >= c.minAmount) && (c.minUnits === null || units >= c.minUnits)) free = true;
    }
    parts.push({ templateId: id, lineIds, measure, units, amount, fee: charged, free: free && charged > 0 });
    gross += charged;
    if (!free) fee += charged;
  });
  if (!Number.isSafeInteger(gross)) {
    throw new OrderkitError({ code: 'INVALID_AMOUNT', message: { 'zh-CN': '运费超出可表示的范围', en: 'freight beyond the safe-integer range' }, path: ['freight'] });
  }
  return { parts, fee: pending ? 0 : fee, gross: pending ? 0 : gross, pending };
}
