import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OrderkitError } from '../../src/errors/orderkit-error.js';
import { StandInTracking, traceShipment } from '../../src/tracking/index.js';
import { buildShippingInfo, buildShippingInfoFromEffect, buildSubscribeMessage } from '../../src/wechat/index.js';
import { shipment, shippedOrder } from './support/orders.js';

/**
 * The functions that build a WeChat call from an order answer an order (or options, or a field)
 * of the wrong shape with a typed error, never a TypeError from inside (docs/wechat.md "Arguments
 * of the wrong type": "an order without its lines"; docs/tracking.md: traceShipment never throws).
 * The generic junk property (junk-arguments.property.test.ts) rarely gets past the options check to
 * the order: here the options are right and only the order, or one of its parts, is junk.
 */
const NOW = new Date('2026-11-26T02:00:00.120Z');
const junk = fc.oneof(fc.constantFrom<unknown>(undefined, null, 0, '', 'x', [], {}, [null], [{}], [1], { id: 'S1' }), fc.anything());
const FIELDS = ['lines', 'shipments', 'payment', 'afterSales', 'address', 'customerId', 'number', 'refunds'] as const;

/** A real shipped order with one field replaced by junk, or junk altogether. */
const junkOrder = fc.oneof(
  junk,
  fc.tuple(fc.constantFrom(...FIELDS), junk).map(([field, value]) => ({ ...shippedOrder([shipment()]), [field]: value })),
  fc.tuple(junk).map(([value]) => ({ ...shippedOrder([shipment()]), shipments: [value] })),
  fc.tuple(junk).map(([value]) => ({ ...shippedOrder([shipment()]), lines: [value] })),
);

function typed(e: unknown): boolean {
  return e instanceof OrderkitError && /^[A-Z][A-Z0-9_]+$/.test(e.code) && e.messages['zh-CN'].length > 0 && e.messages.en.length > 0;
}

/** These return a Result: a failure is returned as a typed `{ ok: false, error }`, never thrown. */
async function answersTyped(f: () => unknown): Promise<string | undefined> {
  try {
    const r = (await f()) as { ok?: boolean; error?: unknown } | undefined;
    if (typeof r?.ok !== 'boolean') return 'not a Result';
    if (r.ok === false && !typed(r.error)) return `untyped failure ${String(r.error)}`;
    return undefined;
  } catch (e) {
    return `threw ${(e as Error)?.name}: ${(e as Error)?.message}`;
  }
}

const effect = { type: 'shipping.upload', shipmentId: 'S1', logisticsType: 'express', items: [], allDelivered: true, id: 'e1', orderId: 'o1' } as const;
const template = { templateId: 'T1', page: (o: { id: string }) => `pages/order?id=${o.id}`, fields: { character_string1: (o: { number: string }) => o.number, thing2: () => '已发货' } };

describe('WeChat builders: an order of the wrong shape', () => {
  it('the order as it is builds (the fixtures are right)', async () => {
    const order = shippedOrder([shipment()]);
    expect(buildShippingInfo(order, 'S1', { now: NOW }).ok).toBe(true);
    expect(buildSubscribeMessage(template as never, order).ok).toBe(true);
  });

  it('buildShippingInfo, buildShippingInfoFromEffect and buildSubscribeMessage answer a typed error (property)', async () => {
    await fc.assert(
      fc.asyncProperty(junkOrder, async (order) => {
        for (const [name, f] of [
          ['buildShippingInfo', () => buildShippingInfo(order as never, 'S1', { now: NOW })],
          ['buildShippingInfo(object)', () => buildShippingInfo(order as never, shipment(), { now: NOW, mchid: '1900000109' })],
          ['buildShippingInfoFromEffect', () => buildShippingInfoFromEffect(order as never, effect as never, { now: NOW })],
          ['buildSubscribeMessage', () => buildSubscribeMessage(template as never, order as never)],
        ] as const) {
          const bad = await answersTyped(f);
          if (bad !== undefined) throw new Error(`${name}: ${bad}`);
        }
      }),
      { numRuns: 300, seed: 20261207 },
    );
  });

  it('buildSubscribeMessage: junk options, a junk field spec or a junk time zone answer a typed error', async () => {
    const order = shippedOrder([shipment()]);
    await fc.assert(
      fc.asyncProperty(junk, async (value) => {
        for (const f of [
          () => buildSubscribeMessage(template as never, order, value as never),
          () => buildSubscribeMessage({ templateId: 'T1', fields: { thing1: value } } as never, order),
          () => buildSubscribeMessage({ templateId: 'T1', fields: { time1: () => NOW } }, order, { timeZone: value as never }),
        ]) {
          const bad = await answersTyped(f);
          if (bad !== undefined) throw new Error(bad);
        }
      }),
      { numRuns: 200, seed: 20261207 },
    );
  });

  it('traceShipment never throws or rejects: a junk order or junk options are a typed failure (property)', async () => {
    const port = new StandInTracking().put('SF1234567890', { state: 'in_transit', checkpoints: [{ at: '2026-11-26T01:30:00Z', text: '运输中' }] });
    await fc.assert(
      fc.asyncProperty(junkOrder, junk, async (order, options) => {
        for (const f of [() => traceShipment(order as never, 'S1', port), () => traceShipment(shippedOrder([shipment()]), 'S1', port, options as never)]) {
          let r: unknown;
          try {
            r = await f();
          } catch (e) {
            throw new Error(`threw ${(e as Error)?.name}: ${(e as Error)?.message}`);
          }
          const x = r as { ok?: boolean; error?: unknown };
          if (typeof x?.ok !== 'boolean' || (x.ok === false && !typed(x.error))) throw new Error(`not a typed result: ${String(r)}`);
        }
      }),
      { numRuns: 200, seed: 20261207 },
    );
  });
});
