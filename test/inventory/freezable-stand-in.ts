import { expect } from 'vitest';
import { WxCloudInventory } from '../../src/adapters/wx-cloud/index.js';
import { createCloudDatabaseStandIn, type StandInFault, type StandInOperation } from '../../src/testing/index.js';

/**
 * The cloud-database stand-in with a clock of its own and a switch that freezes every operation
 * from the `k`-th one on, as a function that died there would leave it; the next function thaws
 * it. Shared by the tests that cut the cloud database's inventory short (docs/inventory.md).
 */
export function freezableStandIn(options: { yields?: () => number } = {}) {
  let now = Date.parse('2026-12-01T00:00:00.000Z');
  let count = 0;
  let freezeAt = Infinity;
  let frozen = false;
  const fault: { next: ((op: StandInOperation) => StandInFault | null) | null } = { next: null };
  const db = createCloudDatabaseStandIn({
    clock: () => now,
    beforeOperation: async () => {
      count += 1;
      if (frozen || count >= freezeAt) {
        frozen = true;
        return new Promise<void>(() => undefined);
      }
      // Random interleavings: this operation lets others run first a few times.
      for (let n = options.yields?.() ?? 0; n > 0; n--) await Promise.resolve();
      return undefined;
    },
    fault: (op) => fault.next?.(op) ?? null,
  });
  return {
    db,
    /** A fault for the operations to come (null: none). */
    fault,
    advance: (ms: number) => void (now += ms),
    /** Freezes every operation from the `k`-th one on (counted from now), as a dead function would. */
    arm: (k: number) => {
      count = 0;
      freezeAt = k;
    },
    /** Lets operations run again (the next function). */
    thaw: () => {
      frozen = false;
      freezeAt = Infinity;
    },
    counted: () => count,
    /** Waits until the armed function has reached its frozen operation (as a dead one would be). */
    async untilFrozen(): Promise<void> {
      for (let i = 0; i < 2000 && !frozen; i++) await new Promise((resolve) => setTimeout(resolve, 0));
      expect(frozen, 'the armed function reached its cut').toBe(true);
    },
  };
}

/** SKU A (5, 限购 2 under the activity 'act') and SKU B (5), on a fresh inventory. */
export async function configuredAB(db: ReturnType<typeof freezableStandIn>['db']): Promise<WxCloudInventory> {
  const inventory = new WxCloudInventory(db);
  await inventory.ensureCollections();
  await inventory.configure({ sku: 'A', available: 5, limit: { perCustomer: 2, key: 'act' } });
  await inventory.configure({ sku: 'B', available: 5 });
  return inventory;
}
