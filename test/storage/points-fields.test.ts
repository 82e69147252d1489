import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { transition } from '../../src/lifecycle/index.js';
import { OrderSchema, type Actor, type Command, type Order } from '../../src/order/index.js';
import { definePolicy } from '../../src/order/policy.js';
import { settlePoints } from '../../src/refund/points.js';
import { upgradeStoredOrder } from '../../src/storage/schema-version.js';

/**
 * The points fields (`order.points`, `order.pricing.pointsEarn`, docs/pricing.md "Points after the
 * order") are optional and additive, so stored documents of every earlier version read without an
 * upgrade: each v1 fixture loads, its next command runs, and an order that never used or earned
 * points gains no `points` record and emits no points effect. A v1 order that did spend points
 * (the field existed in v1) gives them back on close, settled from the stored order alone.
 */

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'orders', 'v1');
const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.json')).sort();

interface Fixture {
  at: string;
  next: { command: Command; actor: Actor; at?: string };
  memory: { doc: string };
}

function load(file: string): { fixture: Fixture; order: Order } {
  const fixture = JSON.parse(readFileSync(join(FIXTURES, file), 'utf8')) as Fixture;
  const { doc } = upgradeStoredOrder('o', JSON.parse(fixture.memory.doc), { owned: true });
  return { fixture, order: OrderSchema.parse(doc) as Order };
}

describe('v1 documents and the points fields', () => {
  it.each(files)('%s loads and continues without a points record', (file) => {
    const { fixture, order } = load(file);
    expect(order.points).toBeUndefined();
    const r = transition(order, fixture.next.command, { now: new Date(fixture.next.at ?? fixture.at), actor: fixture.next.actor, policy: definePolicy() });
    if (!r.ok) return; // some scenarios' next command is checked elsewhere with their own policy
    expect(r.order.points).toBeUndefined();
    expect(r.effects.some((e) => e.type.startsWith('points.'))).toBe(false);
  });

  it('a v1 order that spent points releases them all on cancel', () => {
    const { order } = load('pending-payment.json');
    const line = order.lines[0]!;
    // The same order as stored by v1 with 200 points (¥2) spent on its first line.
    const spent: Order = {
      ...order,
      lines: [{ ...line, allocations: [...line.allocations, { source: 'points', sourceId: 'points', amount: 200 }], payable: line.payable - 200 }, ...order.lines.slice(1)],
      pricing: { ...order.pricing, pointsUsed: 200, pointsDeduction: 200, total: order.pricing.total - 200 },
    };
    expect(OrderSchema.safeParse(spent).success).toBe(true);
    expect(settlePoints(spent, { closing: false, at: order.createdAt })).toBeNull();
    const r = transition(spent, { type: 'CANCEL' }, { now: new Date(order.createdAt), actor: { type: 'customer', id: order.customerId }, policy: definePolicy() });
    if (!r.ok) throw r.error;
    expect(r.effects.filter((e) => e.type === 'points.release').map((e) => (e as { points: number }).points)).toEqual([200]);
    expect(r.order.points).toEqual({ released: 200, granted: 0, clawedBack: 0 });
  });
});
