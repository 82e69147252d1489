import { ShipSchema } from '../../order/index.js';
import { defineCommand } from '../define.js';
import { notify } from './refs.js';

/** 发货: one parcel; everything left to ship makes the order shipped, a part partially shipped. */
export const ship = defineCommand({
  type: 'SHIP',
  schema: ShipSchema,
  actors: ['merchant'],
  label: { 'zh-CN': '发货', en: 'Ship' },
  rows: [
    { from: ['paid', 'partially_shipped'], to: 'shipped', guard: 'shipsRest', actions: ['ship', 'scheduleAutoConfirm', notify('customer', 'order_shipped', ['shipment'])] },
    { from: ['paid', 'partially_shipped'], to: 'partially_shipped', guard: 'shipsPart', actions: ['ship', notify('customer', 'order_shipped', ['shipment'])] },
  ],
  button: { key: 'ship', rank: 80, primary: true },
  http: { path: '/ship', operationId: 'shipOrder' },
});
