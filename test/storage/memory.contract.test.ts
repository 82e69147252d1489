import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryOrderStore } from '../../src/storage/index.js';
import { runOrderStoreContract } from '../../src/testing/index.js';

runOrderStoreContract('MemoryOrderStore', () => new MemoryOrderStore(), { describe, it, expect, beforeEach, afterEach }, {
  numRuns: 60,
  tamper: {
    async replaceDocument(store, orderId, text) {
      store.data.orders.get(orderId)!.doc = text;
    },
    async rewindVersion(store, orderId, version) {
      const row = store.data.orders.get(orderId)!;
      row.version = version;
      row.doc = JSON.stringify({ ...JSON.parse(row.doc), version });
    },
  },
});
