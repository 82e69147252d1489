import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { allowedActions, transition } from '../../src/lifecycle/index.js';
import { OrderSchema, deliveryModeOf, type Actor, type Command, type Order } from '../../src/order/index.js';
import { ORDER_SCHEMA_VERSION, ORDER_UPGRADES, upgradeStoredOrder } from '../../src/storage/schema-version.js';
import { CorruptOrderError } from '../../src/storage/errors.js';

/**
 * Stored-order version 4 (docs/storage.md "Stored order versions", docs/delivery.md): the optional
 * `delivery`. A version-2 document upgrades to 3 unchanged and reads as express (its only mode);
 * the v4 fixtures of the delivery scenarios keep their mode, rider, proof and code through the
 * upgrade step; a chain that stops at 3 refuses a v4 document instead of dropping `delivery`.
 */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'orders');

interface Fixture {
  scenario: string;
  at: string;
  next: { command: Command; actor: Actor; afterMs?: number };
  memory: { doc: string };
}

const read = (dir: string, file: string): Fixture => JSON.parse(readFileSync(join(ROOT, dir, file), 'utf8')) as Fixture;
const orderOf = (f: Fixture): Order => OrderSchema.parse(upgradeStoredOrder('o', JSON.parse(f.memory.doc), { owned: true }).doc) as Order;

describe('stored-order version 4: delivery', () => {
  it('this code writes version 3 and upgrades 2 → 3 without a change', () => {
    expect(ORDER_SCHEMA_VERSION).toBeGreaterThanOrEqual(3);
    const v2 = read('v2', 'paid.json');
    const raw = JSON.parse(v2.memory.doc) as Record<string, unknown>;
    expect(raw['schemaVersion']).toBe(2);
    const { doc, upgraded } = upgradeStoredOrder('o', JSON.parse(v2.memory.doc), { owned: true });
    expect(upgraded).toBe(true);
    const { schemaVersion: _v, ...rest } = raw;
    expect(doc).toEqual(rest);
    expect(ORDER_UPGRADES[2]!({ ...rest })).toEqual(rest);
  });

  it.each(readdirSync(join(ROOT, 'v2')).filter((f) => f.endsWith('.json')).sort())('v2/%s has no delivery and reads as express', (file) => {
    const order = orderOf(read('v2', file));
    expect(order.delivery).toBeUndefined();
    expect(deliveryModeOf(order)).toBe('express');
  });

  it('the v4 delivery fixtures keep their mode and offer the mode’s next command', () => {
    const staff: Actor = { type: 'merchant', id: 'staff-1' };
    const seen: Record<string, unknown> = {};
    for (const name of ['local-paid', 'local-shipped', 'local-delivered', 'pickup-paid', 'pickup-completed']) {
      const f = read('v4', `${name}.json`);
      const order = orderOf(f);
      seen[name] = order.delivery?.mode;
      const r = transition(order, f.next.command, { now: new Date(Date.parse(f.at) + 60_000), actor: f.next.actor });
      if (!r.ok) throw new Error(`${name}: ${r.error.code}`);
      expect(r.order.delivery).toMatchObject({ mode: order.delivery!.mode });
    }
    expect(seen).toEqual({ 'local-paid': 'local', 'local-shipped': 'local', 'local-delivered': 'local', 'pickup-paid': 'pickup', 'pickup-completed': 'pickup' });
    const shipped = orderOf(read('v4', 'local-shipped.json'));
    expect(shipped.delivery).toMatchObject({ zone: 'xuhui', rider: { name: '李师傅', company: '达达', trackingNo: 'DD123' } });
    expect(allowedActions(shipped, staff, new Date(read('v4', 'local-shipped.json').at))).toContain('RECORD_DELIVERY_PROOF');
    const pickup = orderOf(read('v4', 'pickup-paid.json'));
    expect(pickup.delivery).toMatchObject({ code: '482913', store: { id: 'xh' } });
    expect(allowedActions(pickup, staff, new Date(read('v4', 'pickup-paid.json').at))).toContain('VERIFY_PICKUP_CODE');
  });

  it('a chain that only knows version 3 refuses a version-4 document', () => {
    const v4 = JSON.parse(read('v4', 'pickup-paid.json').memory.doc) as unknown;
    let reason = 'accepted';
    try {
      upgradeStoredOrder('o', v4, { chain: { current: 3, upgrades: { 1: (d) => d, 2: (d) => d } } });
    } catch (e) {
      reason = (e as CorruptOrderError).reason;
    }
    expect(reason).toBe('unknown_schema_version');
  });
});
