import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OrderSchema } from '../../src/order/index.js';
import { ORDER_SCHEMA_VERSION, upgradeStoredOrder } from '../../src/storage/index.js';

/** Stored order version 4 (docs/storage.md "Stored order versions"): `payment.sources`. */
const fixture = (v: string, name: string) => JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'orders', v, `${name}.json`), 'utf8')) as { memory: { doc: string } };

describe('stored order version 4', () => {
  it('is the version this code writes, or an earlier one (version 5: test/storage/exchange-skus-stored.test.ts)', () => {
    expect(ORDER_SCHEMA_VERSION).toBeGreaterThanOrEqual(4);
  });

  it('a version-3 order upgrades unchanged (it was paid from one source) and still parses', () => {
    const doc = JSON.parse(fixture('v3', 'paid').memory.doc) as Record<string, unknown>;
    expect(doc['schemaVersion']).toBe(3);
    const before = { ...doc };
    delete before['schemaVersion'];
    const { doc: up, upgraded } = upgradeStoredOrder('fx', doc);
    expect(upgraded).toBe(true);
    expect(up).toEqual(before);
    const parsed = OrderSchema.safeParse(up);
    expect(parsed.success && parsed.data.payment.sources).toBeUndefined();
  });

  it('a version-4 order paid from the balance and WeChat Pay keeps both sources', () => {
    const doc = JSON.parse(fixture('v4', 'paid-balance-and-wechat').memory.doc) as Record<string, unknown>;
    const { doc: up, upgraded } = upgradeStoredOrder('fx', doc);
    expect(upgraded).toBe(ORDER_SCHEMA_VERSION > 4);
    const parsed = OrderSchema.parse(up);
    expect(parsed.payment.sources!.map((s) => [s.kind, s.amount, s.transactionId])).toEqual([
      ['balance', 800, 'balance:NFX000001'],
      ['wechat', 1200, 'tx-wx'],
    ]);
    expect(parsed.payment.paidAmount).toBe(2000);
  });

  it('a version-3 reader refuses a version-4 document instead of dropping its sources', () => {
    const doc = JSON.parse(fixture('v4', 'paid-balance-and-wechat').memory.doc) as Record<string, unknown>;
    expect(() => upgradeStoredOrder('fx', doc, { chain: { current: 3, upgrades: { 1: (d) => d, 2: (d) => d } } })).toThrow(/unknown_schema_version|version 4/);
  });
});
