import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCloudDatabaseStandIn, WxCloudOrderStore, type CloudDatabaseStandIn } from '../../src/adapters/wx-cloud/index.js';
import { runOrderStoreContract } from '../../src/testing/index.js';

/**
 * The store contract against the TEST DOUBLE of the cloud database (not the cloud database): it
 * proves the store's logic under the documented semantics (100-record pages, stats.updated,
 * unique _id on add, merge updates), not the service itself.
 */
const databases = new WeakMap<WxCloudOrderStore, CloudDatabaseStandIn>();

async function makeStore(): Promise<WxCloudOrderStore> {
  const db = createCloudDatabaseStandIn();
  const store = new WxCloudOrderStore(db);
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
