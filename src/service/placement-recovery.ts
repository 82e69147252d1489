import { OrderkitError } from '../errors/orderkit-error.js';
import type { OrderStore, PlacementInDoubt, PlacementOutcome } from '../storage/port.js';

/**
 * Placements left in doubt (docs/inventory.md and docs/payment-sources.md, "Placements left in
 * doubt"): a placement whose create may or may not have written its order keeps its units and its
 * debit under the order id. When nobody places that id again, `service.sweep` gives them back once
 * the grace period has passed after the doubt (a create in flight can no longer land) and the store
 * shows no order: the idempotency keys it may still come from are settled first, then the order is
 * read by its id. An order there keeps everything; a read that fails leaves the doubt to the next
 * sweep. The port gives back only when every placement of the id still holding them is in doubt
 * since before the cutoff, so a retry in flight keeps them, and it gives back once however many
 * sweepers ask.
 */

/** Default grace period: 15 minutes, far past any create's own time limit (docs/inventory.md). */
export const DEFAULT_PLACEMENT_GRACE_MS = 15 * 60_000;
const MIN_GRACE_MS = 60_000;

/** A port that took something outside the store's transaction and can settle its doubts. */
interface DoubtPort {
  placementsInDoubt?(before: Date): Promise<PlacementInDoubt[]>;
  settleInDoubt?(orderId: string, outcome: PlacementOutcome, before: Date): Promise<boolean>;
}

/** `placementGraceMs` as given, checked: a whole number of milliseconds, at least one minute. */
export function checkPlacementGrace(value: unknown): number {
  if (value === undefined) return DEFAULT_PLACEMENT_GRACE_MS;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= MIN_GRACE_MS) return value;
  throw new OrderkitError({
    code: 'INVALID_SERVICE_OPTIONS',
    message: {
      'zh-CN': 'placementGraceMs（结果未知的下单的宽限期）须为不小于 60000 的整数毫秒',
      en: 'placementGraceMs (the grace period of placements left in doubt) must be a whole number of milliseconds, at least 60000',
    },
    path: ['placementGraceMs'],
  });
}

/**
 * Settles every placement in doubt since before `now - graceMs`; answers how many gave something
 * back, or null when no port records doubts.
 */
export async function recoverPlacements(store: OrderStore, ports: readonly (DoubtPort | undefined)[], now: Date, graceMs: number): Promise<number | null> {
  const before = new Date(now.getTime() - graceMs);
  let recovered: number | null = null;
  for (const port of ports) {
    if (!port?.placementsInDoubt || !port.settleInDoubt) continue;
    recovered ??= 0;
    // A port or a store that fails leaves the rest to the next sweep; the sweep itself goes on.
    const doubts = await port.placementsInDoubt(before).catch(() => []);
    for (const doubt of doubts) {
      try {
        // A reservation left under a key can still create the order: settle it before the read.
        for (const key of doubt.idempotencyKeys) await store.findIdempotency(key);
        // Unreadable (or corrupt: something is stored): it throws, and nothing goes back now.
        const found = await store.load(doubt.orderId);
        if (await port.settleInDoubt(doubt.orderId, found === null ? 'absent' : 'created', before)) recovered += 1;
      } catch {
        // see above
      }
    }
  }
  return recovered;
}
