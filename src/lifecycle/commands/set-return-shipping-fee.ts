import { SetReturnShippingFeeSchema } from '../../order/index.js';
import { defineCommand } from '../define.js';
import { AFTER_SALE_ROW } from './refs.js';

/** 退运费: the return parcel's fee, refunded to the shopper or deducted (docs/after-sales.md "Return shipping fee"). */
export const setReturnShippingFee = defineCommand({
  type: 'SET_RETURN_SHIPPING_FEE',
  schema: SetReturnShippingFeeSchema,
  actors: ['merchant'],
  label: { 'zh-CN': '设置退货运费', en: 'Set the return shipping fee' },
  rows: [AFTER_SALE_ROW],
  button: {
    key: 'setReturnShippingFee',
    label: { 'zh-CN': '退货运费', en: 'Return shipping fee' },
    rank: 145,
    perAfterSale: (afterSaleId) => ({ type: 'SET_RETURN_SHIPPING_FEE', afterSaleId, fee: 1, treatment: 'refund' }),
  },
  http: { path: '/after-sales/:afterSaleId/return-shipping-fee', operationId: 'setReturnShippingFee' },
});
