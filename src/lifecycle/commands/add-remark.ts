import { AddRemarkSchema } from '../../order/index.js';
import { defineCommand } from '../define.js';
import { ANY_STATUS } from './refs.js';

/** 商家备注: a note of at most 200 characters, appended to `merchantNotes`. */
export const addRemark = defineCommand({
  type: 'ADD_REMARK',
  schema: AddRemarkSchema,
  actors: ['merchant'],
  label: { 'zh-CN': '备注', en: 'Add note' },
  rows: [{ from: ANY_STATUS, guard: 'validRemark', actions: ['addRemark'] }],
  button: { key: 'addRemark', rank: 20 },
  http: { path: '/remarks', operationId: 'addRemark', tag: 'edits', description: 'A note of at most 200 characters, appended to `merchantNotes`.' },
});
