import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WxCloudOrderStore } from '../../src/adapters/wx-cloud/index.js';
import { createCloudDatabaseStandIn, type CloudDatabaseStandIn } from '../../src/testing/index.js';
import type { FindDueOptions, OutboxEntry } from '../../src/storage/port.js';
import { runOrderStoreContract, TEST_EPOCH } from '../../src/testing/index.js';
import type { Order } from '../../src/order/index.js';

/**
 * The store contract against the TEST DOUBLE of the cloud database (not the cloud database): it
 * proves the store's logic under the documented semantics (page caps, stats.updated, E11000 on
 * add, merge updates, transactions with write conflicts), not the service itself.
 *
 * Leases run on the server's clock (`db.serverDate()`), the contract passes its own `now` to
 * `claim` and `findDue`: this harness plays a server whose clock reads the `now` the caller passes
 * (no skew), so the contract's lease timings apply unchanged. Skew is tested in store.test.ts.
 */
const databases = new WeakMap<WxCloudOrderStore, CloudDatabaseStandIn>();

class ServerClockStore extends WxCloudOrderStore {
  constructor(
    db: CloudDatabaseStandIn,
    private readonly server: { now: number },
  ) {
    super(db, { pollMs: 20 });
  }
  override claim(limit: number, leaseMs: number, now: Date = new Date()): Promise<OutboxEntry[]> {
    this.server.now = now.getTime();
    return super.claim(limit, leaseMs, now);
  }
  override findDue(now: Date, limit: number, options?: FindDueOptions): Promise<Order[]> {
    this.server.now = now.getTime();
    return super.findDue(now, limit, options);
  }
}

async function makeStore(): Promise<WxCloudOrderStore> {
  const server = { now: Date.parse(TEST_EPOCH) };
  const db = createCloudDatabaseStandIn({ clock: () => server.now });
  const store = new ServerClockStore(db, server);
  await store.ensureCollections();
  databases.set(store, db);
  return store;
}

runOrderStoreContract('WxCloudOrderStore (cloud database test double)', makeStore, { describe, it, expect, beforeEach, afterEach }, {
  numRuns: 40,
  tamper: {
    async replaceDocument(store, orderId, text) {
      const db = databases.get(store)!;
      const current = db.dump(store.names.orders).find((d) => d._id === orderId)!;
      const internal = Object.fromEntries(Object.entries(current).filter(([k]) => k.startsWith('ok_')));
      await db.collection(store.names.orders).doc(orderId).set({ data: { ...JSON.parse(text), ...internal } });
    },
    async rewindVersion(store, orderId, version) {
      const db = databases.get(store)!;
      await db.collection(store.names.orders).doc(orderId).update({ data: { version } });
    },
  },
});
