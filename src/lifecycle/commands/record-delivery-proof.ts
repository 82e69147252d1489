import { RecordDeliveryProofSchema } from '../../order/index.js';
import { defineCommand } from '../define.js';

/** 送达凭证: the rider's proof that a local delivery arrived; the order is delivered (docs/delivery.md "Local delivery"). */
export const recordDeliveryProof = defineCommand({
  type: 'RECORD_DELIVERY_PROOF',
  schema: RecordDeliveryProofSchema,
  actors: ['merchant', 'system'],
  label: { 'zh-CN': '上传送达凭证', en: 'Record delivery proof' },
  rows: [{ from: 'shipped', to: 'delivered', guard: 'deliveryProofAccepted', actions: ['recordDeliveryProof'] }],
  button: { key: 'recordDeliveryProof', rank: 70 },
  http: { path: '/delivery-proof', operationId: 'recordDeliveryProof' },
});
