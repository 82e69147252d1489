import { DispatchRiderSchema } from '../../order/index.js';
import { defineCommand } from '../define.js';
import { notify } from './refs.js';

/** 骑手取货: a local-delivery order goes out with its rider; the order is shipped (docs/delivery.md "Local delivery"). */
export const dispatchRider = defineCommand({
  type: 'DISPATCH_RIDER',
  schema: DispatchRiderSchema,
  actors: ['merchant', 'system'],
  label: { 'zh-CN': '骑手取货', en: 'Dispatch rider' },
  rows: [
    { from: 'paid', to: 'shipped', guard: 'dispatchesRider', actions: ['dispatchRider', 'scheduleAutoConfirm', notify('customer', 'order_shipped', ['shipment'])] },
  ],
  button: { key: 'dispatchRider', rank: 80, primary: true },
  http: { path: '/rider', operationId: 'dispatchRider' },
});
