import type { AppContext } from '../context.js';
import { notFound } from '../http-errors.js';
import { param, type Route } from '../http.js';
import { OrderkitError } from '../orderkit/index.js';

/**
 * 库存: what a SKU has left, for the product page and the mini program (docs/inventory.md). Public
 * like a product page: no actor needed. 503 NOT_CONFIGURED when the app runs without an inventory.
 */
export function stockRoutes(ctx: AppContext): Route[] {
  return [
    {
      access: 'public',
      doc: {
        method: 'get',
        path: '/stock/:sku',
        operationId: 'getStock',
        summary: 'Stock left 剩余库存',
        description:
          'Units available for sale now, units held by open orders, and the 限购 (per-customer limit) if any. A placement beyond the stock answers 409 OUT_OF_STOCK; beyond the limit, 409 LIMIT_REACHED (库存不足 / 已达限购, with `details`).',
        tags: ['stock'],
        actors: 'anyone',
        success: { status: 200, description: '{ sku, available, held, policy, limit? }' },
        errors: [400, 404, 503],
      },
      handler: async (req, res) => {
        const sku = param(req, 'sku');
        if (!ctx.inventory) {
          throw new OrderkitError({ code: 'NOT_CONFIGURED', message: { 'zh-CN': '未配置库存', en: 'no inventory is configured' } });
        }
        const level = await ctx.inventory.level(sku);
        if (!level) throw notFound('SKU', sku);
        res.json(level);
      },
    },
  ];
}
