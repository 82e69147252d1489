import { createOrderNumber } from '../order/order-number.js';
import type { Clock, IdSource } from './types.js';

/**
 * The service's defaults for time and ids. They live here, not in the pure modules, because they
 * read the clock and a random source.
 */
/**
 * The real time.
 *
 * @example
 * createOrderService({ store, clock: systemClock });
 */
export const systemClock: Clock = { now: () => new Date() };

/**
 * A random (version 4) UUID: the platform's when it has one, else built from Math.random.
 *
 * @example
 * randomId() // 'a3f0c1d2-…'
 */
export function randomId(): string {
  const c = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  if (c && typeof c.randomUUID === 'function') return c.randomUUID();
  // Node 16 has no global `crypto`; importing node:crypto would tie the core bundle to Node.
  const hex: string[] = [];
  for (let i = 0; i < 32; i++) hex.push(Math.floor(Math.random() * 16).toString(16));
  hex[12] = '4';
  hex[16] = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  const h = hex.join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * Six random digits from the platform's cryptographic source (a pickup code is what the shopper
 * shows to collect the goods: it must not be guessable from the order), or undefined where the
 * platform has none as a global (Node 16 and 18 without flags: pass `ids.pickupCode` there).
 *
 * @example
 * randomPickupCode() // '048213'
 */
export function randomPickupCode(): string | undefined {
  const c = (globalThis as { crypto?: { getRandomValues?: (a: Uint32Array) => Uint32Array } }).crypto;
  if (c === undefined || typeof c.getRandomValues !== 'function') return undefined;
  const buf = new Uint32Array(1);
  // Rejection sampling: values ≥ the largest multiple of 10⁶ would favour the low codes.
  const limit = Math.floor(0x1_0000_0000 / 1_000_000) * 1_000_000;
  do c.getRandomValues(buf);
  while (buf[0]! >= limit);
  return String(buf[0]! % 1_000_000).padStart(6, '0');
}

export function defaultIds(timeZone: string, overrides: Partial<IdSource> = {}): IdSource {
  return {
    orderId: overrides.orderId ?? randomId,
    orderNumber: overrides.orderNumber ?? ((now: Date) => createOrderNumber({ now, random: Math.random, timeZone })),
    pickupCode: overrides.pickupCode ?? randomPickupCode,
  };
}
