import { describe, expect, it } from 'vitest';
import { COMMAND_TYPES, CommandSchema, OrderSchema, commandJsonSchema, orderJsonSchema, parseCommand } from '../../../src/order/index.js';
import { place } from '../fixtures.js';

describe('parseCommand', () => {
  it('accepts a valid command and fills defaults', () => {
    const r = parseCommand({ type: 'SHIP', items: [{ lineId: 'a', quantity: 1 }] });
    expect(r.ok).toBe(true);
    expect(r.ok && r.command).toEqual({ type: 'SHIP', items: [{ lineId: 'a', quantity: 1 }], logisticsType: 'express' });
  });

  it('explains every problem with its path in zh-CN and en', () => {
    const r = parseCommand({ type: 'PAYMENT_SUCCEEDED', amount: 19.99, transactionId: '' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('INVALID_COMMAND');
    expect(r.error.issues.map((i) => i.path)).toEqual(expect.arrayContaining([['amount'], ['transactionId']]));
    expect(r.error.messages['zh-CN']).toMatch(/^指令格式不正确：amount/);
    expect(r.error.messages.en).toMatch(/^invalid command: amount/);
    for (const issue of r.error.issues) {
      expect(issue.message['zh-CN']).toContain(issue.path.join('.'));
      expect(issue.message.en).toContain(issue.path.join('.'));
    }
  });

  it('names a missing field, an unknown field, an unknown type and a bad nested item', () => {
    const missing = parseCommand({ type: 'REJECT_AFTER_SALE', afterSaleId: 'x' });
    expect(!missing.ok && missing.error.path).toEqual(['reason']);
    expect(!missing.ok && missing.error.messages['zh-CN']).toContain('缺少必填字段');
    const extra = parseCommand({ type: 'EXPIRE', when: 'now' });
    expect(!extra.ok && extra.error.messages.en).toContain('unknown field');
    const unknown = parseCommand({ type: 'TELEPORT' });
    expect(unknown.ok).toBe(false);
    expect(!unknown.ok && unknown.error.path).toEqual(['type']);
    const nested = parseCommand({ type: 'SHIP', items: [{ lineId: 'a', quantity: 0 }] });
    expect(!nested.ok && nested.error.path).toEqual(['items', 0, 'quantity']);
  });

  it('never throws, whatever it is given', () => {
    for (const input of [null, undefined, 1, 'EXPIRE', [], {}, { type: null }, Object.create(null)]) {
      expect(parseCommand(input).ok).toBe(false);
    }
  });

  it('knows every built-in command type (docs/lifecycle.md)', () => {
    expect(COMMAND_TYPES).toEqual(
      expect.arrayContaining([
        'PAYMENT_SUCCEEDED', 'CANCEL', 'EXPIRE', 'SHIP', 'DELIVER', 'CONFIRM_RECEIPT', 'AUTO_CONFIRM',
        'REQUEST_AFTER_SALE', 'APPROVE_AFTER_SALE', 'REJECT_AFTER_SALE', 'CANCEL_AFTER_SALE',
        'RETURN_SHIPPED', 'RETURN_RECEIVED', 'REFUND_SUCCEEDED', 'REFUND_FAILED',
      ]),
    );
  });
});

describe('JSON Schemas', () => {
  it('describe the order and every command', () => {
    const order = orderJsonSchema();
    expect(order['type']).toBe('object');
    expect(order['required']).toEqual(expect.arrayContaining(['id', 'number', 'version', 'status', 'lines', 'payment']));
    const status = (order['properties'] as Record<string, { enum?: string[] }>)['status'];
    expect(status?.enum).toContain('pending_payment');
    const commands = commandJsonSchema();
    const variants = (commands['oneOf'] ?? commands['anyOf']) as Array<{ properties: { type: { const?: string; enum?: string[] } } }>;
    const types = variants.map((v) => v.properties.type.const ?? v.properties.type.enum?.[0]);
    expect(types.sort()).toEqual([...COMMAND_TYPES].sort());
  });

  it('are plain JSON (serialisable and stable)', () => {
    expect(JSON.parse(JSON.stringify(orderJsonSchema()))).toEqual(orderJsonSchema());
    expect(JSON.parse(JSON.stringify(commandJsonSchema()))).toEqual(commandJsonSchema());
  });

  it('the order schema says yes to a placed order and the command schema to parsed commands', () => {
    expect(OrderSchema.safeParse(place()).success).toBe(true);
    expect(CommandSchema.safeParse({ type: 'CANCEL' }).success).toBe(true);
  });
});
