import { DeliverSchema } from '../../order/index.js';
import { defineCommand } from '../define.js';

/** 已签收: the carrier reports a parcel delivered; the last one makes the order delivered. */
export const deliver = defineCommand({
  type: 'DELIVER',
  schema: DeliverSchema,
  actors: ['merchant', 'system'],
  label: { 'zh-CN': '确认送达', en: 'Mark delivered' },
  rows: [
    { from: 'shipped', to: 'delivered', guard: 'deliversLastParcel', actions: ['markDelivered'] },
    { from: ['partially_shipped', 'shipped'], guard: 'deliversParcel', actions: ['markDelivered'] },
  ],
  button: { key: 'deliver', rank: 70 },
  http: { path: '/deliver', operationId: 'deliverOrder' },
});
