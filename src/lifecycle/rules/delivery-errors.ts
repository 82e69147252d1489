import { orderkitError, type OrderkitError } from '../../errors/orderkit-error.js';
import type { DeliveryMode } from '../../order/index.js';

const MODE_TEXT: Record<DeliveryMode, { zh: string; en: string }> = {
  express: { zh: '快递', en: 'express' },
  local: { zh: '同城配送', en: 'local delivery' },
  pickup: { zh: '到店自提', en: 'store pickup' },
};

/** What each command does instead, for the message of a mode mismatch. */
const INSTEAD: Record<string, { zh: string; en: string }> = {
  'local:SHIP': { zh: '请用 DISPATCH_RIDER 安排骑手', en: 'send DISPATCH_RIDER with the rider' },
  'pickup:SHIP': { zh: '自提订单不发货，到店核销（VERIFY_PICKUP_CODE）', en: 'a pickup order never ships: verify its code at the store (VERIFY_PICKUP_CODE)' },
  'local:DELIVER': { zh: '请用 RECORD_DELIVERY_PROOF 上传送达凭证', en: 'send RECORD_DELIVERY_PROOF with the proof' },
};

/** The delivery modes' errors (docs/delivery.md); codes are stable, messages in zh-CN and en. */
export const deliveryErrors = {
  modeMismatch(mode: DeliveryMode, type: string): OrderkitError {
    const m = MODE_TEXT[mode];
    const instead = INSTEAD[`${mode}:${type}`];
    return orderkitError(
      'DELIVERY_MODE_MISMATCH',
      {
        'zh-CN': `本订单为${m.zh}，不能执行 ${type}${instead ? `：${instead.zh}` : ''}`,
        en: `${type} does not apply to an order by ${m.en}${instead ? `: ${instead.en}` : ''}`,
      },
      { path: ['type'], details: { mode, command: type } },
    );
  },
  pickupCodeMismatch(): OrderkitError {
    return orderkitError('PICKUP_CODE_MISMATCH', { 'zh-CN': '自提码不正确', en: 'the pickup code does not match' }, { path: ['code'] });
  },
  pickupStoreMismatch(storeId: string): OrderkitError {
    return orderkitError('PICKUP_STORE_MISMATCH', { 'zh-CN': '该订单不在本门店自提', en: 'this order is not picked up at this store' }, { path: ['storeId'], details: { storeId } });
  },
  alreadyPickedUp(at: string): OrderkitError {
    return orderkitError('ALREADY_PICKED_UP', { 'zh-CN': '该订单已核销自提', en: 'this order has already been picked up' }, { path: ['code'], details: { pickedUpAt: at } });
  },
};
