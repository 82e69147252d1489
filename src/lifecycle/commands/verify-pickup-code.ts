import { VerifyPickupCodeSchema } from '../../order/index.js';
import { defineCommand } from '../define.js';

/** 核销自提: the store hands a pickup order over against the shopper's code; the order is completed (docs/delivery.md "Store pickup"). */
export const verifyPickupCode = defineCommand({
  type: 'VERIFY_PICKUP_CODE',
  schema: VerifyPickupCodeSchema,
  actors: ['merchant'],
  label: { 'zh-CN': '核销自提', en: 'Verify pickup code' },
  rows: [{ from: 'paid', to: 'completed', guard: 'pickupCodeMatches', actions: ['verifyPickup', 'complete', 'settlePoints'] }],
  button: { key: 'verifyPickup', rank: 85, primary: true },
  http: { path: '/pickup-verification', operationId: 'verifyPickupCode' },
});
