import { ChangeAddressSchema } from '../../order/index.js';
import { defineCommand } from '../define.js';

/** 修改地址: until anything ships; the audit log keeps the old address. */
export const changeAddress = defineCommand({
  type: 'CHANGE_ADDRESS',
  schema: ChangeAddressSchema,
  actors: ['customer', 'merchant'],
  label: { 'zh-CN': '修改地址', en: 'Change address' },
  rows: [{ from: ['pending_payment', 'paid'], guard: 'addressChangeable', actions: ['changeAddress'] }],
  button: { key: 'changeAddress', rank: 30 },
  http: { path: '/address', operationId: 'changeAddress', tag: 'edits', description: 'Until anything ships; afterwards 422 ADDRESS_LOCKED. The audit log keeps the old address.' },
});
