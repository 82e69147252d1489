import type { Line } from '../order/index.js';
import type { TopSku } from './types.js';

/**
 * Sales by SKU over the orders paid in the range: units, Σ line payable (what was really charged
 * after every discount) and how many orders. Ranked by revenue, then units, then SKU, so that ties
 * always come out in the same order (the SQL summary sorts the same way).
 *
 * @example
 * const t = new SkuTally();
 * for (const o of orders) if (o.payment.paidAmount > 0) t.add(o.lines);
 * t.top(3) // → [{ sku: 'TEA-01', title: '龙井 250g', units: 42, revenue: 1239000, orders: 37 }, …]
 */
export class SkuTally {
  private readonly bySku = new Map<string, TopSku>();

  add(lines: readonly Line[]): void {
    const seen = new Set<string>();
    for (const line of lines) {
      let row = this.bySku.get(line.sku);
      if (!row) {
        row = { sku: line.sku, title: line.title, units: 0, revenue: 0, orders: 0 };
        this.bySku.set(line.sku, row);
      } else if (line.title < row.title) {
        row.title = line.title;
      }
      row.units += line.quantity;
      row.revenue += line.payable;
      if (!seen.has(line.sku)) {
        seen.add(line.sku);
        row.orders++;
      }
    }
  }

  top(limit: number): TopSku[] {
    return [...this.bySku.values()]
      .sort((a, b) => b.revenue - a.revenue || b.units - a.units || (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0))
      .slice(0, limit)
      .map((r) => ({ ...r }));
  }
}
