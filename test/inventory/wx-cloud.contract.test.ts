import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WxCloudInventory, WxCloudOrderStore } from '../../src/adapters/wx-cloud/index.js';
import { createCloudDatabaseStandIn, runInventoryContract } from '../../src/testing/index.js';
import { serviceScenarios } from './service-scenarios.js';

/** The cloud-database inventory on the stand-in (src/testing/cloud-database-stand-in.ts). */
async function make(): Promise<WxCloudInventory> {
  const inventory = new WxCloudInventory(createCloudDatabaseStandIn());
  await inventory.ensureCollections();
  return inventory;
}

runInventoryContract('WxCloudInventory on the stand-in', make, { describe, it, expect, beforeEach, afterEach }, { numRuns: 30 });

describe('service with WxCloudOrderStore + WxCloudInventory (stand-in)', () => {
  serviceScenarios(async () => {
    const db = createCloudDatabaseStandIn();
    const store = new WxCloudOrderStore(db);
    await store.ensureCollections();
    const inventory = new WxCloudInventory(db);
    await inventory.ensureCollections();
    return { store, inventory };
  });
});
