import { AdjustPriceSchema } from '../../order/index.js';
import { defineCommand } from '../define.js';
import { BECOMES_PAID, notify } from './refs.js';

/** 改价: a new total before payment; 0 pays the order at once. */
export const adjustPrice = defineCommand({
  type: 'ADJUST_PRICE',
  schema: AdjustPriceSchema,
  actors: ['merchant'],
  label: { 'zh-CN': '改价', en: 'Adjust price' },
  rows: [
    { from: 'pending_payment', guard: 'adjustsPrice', actions: ['adjustPrice', notify('customer', 'price_adjusted')] },
    { from: 'pending_payment', to: 'paid', guard: 'adjustsPriceToZero', actions: ['adjustPrice', ...BECOMES_PAID] },
    { from: 'pending_payment', to: 'shipped', guard: 'adjustsVirtualPriceToZero', actions: ['adjustPrice', ...BECOMES_PAID] },
  ],
  button: { key: 'adjustPrice', rank: 40 },
  http: {
    path: '/price',
    operationId: 'adjustPrice',
    tag: 'edits',
    description:
      'A new total (fen) with a reason, while the order is unpaid. The difference is split over the lines; the old payment attempt is closed and a new one starts (a new out_trade_no). 0 pays the order at once. Raising the price beyond the policy cap is 422 PRICE_INCREASE_NOT_ALLOWED.',
  },
});
