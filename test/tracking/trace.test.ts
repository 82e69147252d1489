import { describe, expect, it } from 'vitest';
import { StandInTracking, traceShipment, TRACKING_ERROR_CODES, type TrackingPort } from '../../src/tracking/index.js';
import { paid, shipped, step, merchant, days } from '../view/fixtures.js';

describe('traceShipment through the tracking port', () => {
  const order = shipped();
  const shipmentId = order.shipments[0]!.id;

  it('returns the scans newest first in the shop time zone, and asks with the number, the carrier and the phone tail', async () => {
    const tracking = new StandInTracking().put('SF1234567890', {
      state: 'delivered',
      checkpoints: [
        { at: '2026-11-26T01:00:00Z', text: '已揽收', location: '杭州' },
        { at: '2026-11-27T08:30:00+08:00', text: '已签收，签收人：本人' },
        { at: '2026-11-26T12:00:00Z', text: '运输中' },
      ],
    });
    const r = await traceShipment(order, shipmentId, tracking);
    if (!r.ok) throw r.error;
    expect(r.trace.stateLabel).toBe('已签收');
    expect(r.trace.checkpoints.map((c) => c.text)).toEqual(['已签收，签收人：本人', '运输中', '已揽收']);
    expect(r.trace.checkpoints.map((c) => c.atText)).toEqual(['2026-11-27 08:30', '2026-11-26 20:00', '2026-11-26 09:00']);
    expect(r.trace.checkpoints[2]!.location).toBe('杭州');
    expect(tracking.queries).toEqual([{ trackingNo: 'SF1234567890', expressCompany: '顺丰速运', phoneTail: '1234' }]);
    const en = await traceShipment(order, shipmentId, tracking, { locale: 'en', timeZone: 'UTC' });
    if (!en.ok) throw en.error;
    expect(en.trace.stateLabel).toBe('Delivered');
    expect(en.trace.checkpoints[0]!.atText).toBe('2026-11-27 00:30');
  });

  it('every failure is a typed result: no parcel, no number, unknown number, down, garbled, too slow', async () => {
    const tracking = new StandInTracking();
    const code = async (p: Promise<{ ok: boolean; error?: { code: string } }>) => {
      const r = await p;
      return r.ok ? 'ok' : r.error!.code;
    };
    expect(await code(traceShipment(order, 'nope', tracking))).toBe(TRACKING_ERROR_CODES.shipmentNotFound);
    const pickup = step(paid(), { type: 'SHIP', logisticsType: 'pickup' }, merchant, days(1));
    expect(await code(traceShipment(pickup, pickup.shipments[0]!.id, tracking))).toBe(TRACKING_ERROR_CODES.notTrackable);
    expect(await code(traceShipment(order, shipmentId, tracking))).toBe(TRACKING_ERROR_CODES.notFound);
    tracking.mode = 'down';
    expect(await code(traceShipment(order, shipmentId, tracking))).toBe(TRACKING_ERROR_CODES.unavailable);
    tracking.mode = 'garbled';
    expect(await code(traceShipment(order, shipmentId, tracking))).toBe(TRACKING_ERROR_CODES.unavailable);
    tracking.mode = 'slow';
    const slow = await traceShipment(order, shipmentId, tracking, { timeoutMs: 10 });
    expect(slow.ok ? null : slow.error.details).toEqual({ reason: 'timeout' });
    // A provider that throws synchronously is a provider error too, not a crash.
    const throwing: TrackingPort = {
      trace() {
        throw new Error('boom');
      },
    };
    expect(await code(traceShipment(order, shipmentId, throwing))).toBe(TRACKING_ERROR_CODES.unavailable);
    // A checkpoint with a time that is not a time is a bad reply.
    const odd: TrackingPort = { trace: async () => ({ state: 'in_transit', checkpoints: [{ at: 'yesterday', text: '?' }] }) };
    expect(await code(traceShipment(order, shipmentId, odd))).toBe(TRACKING_ERROR_CODES.unavailable);
  });

  it('the slow provider is told to stop (its signal is aborted) when orderkit gives up', async () => {
    let signal: AbortSignal | null = null;
    const port: TrackingPort = {
      trace: (_q, o) => {
        signal = o.signal;
        return new Promise(() => undefined);
      },
    };
    await traceShipment(order, shipmentId, port, { timeoutMs: 5 });
    expect(signal!.aborted).toBe(true);
  });
});
