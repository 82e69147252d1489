import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WxCloudInventory, WxCloudOrderStore } from '../../src/adapters/wx-cloud/index.js';
import { createCloudDatabaseStandIn, runInventoryContract } from '../../src/testing/index.js';
import { serviceScenarios } from './service-scenarios.js';

/** The cloud-database inventory on the stand-in (src/testing/cloud-database-stand-in.ts). */
const databases = new WeakMap<WxCloudInventory, ReturnType<typeof createCloudDatabaseStandIn>>();
async function make(): Promise<WxCloudInventory> {
  const db = createCloudDatabaseStandIn();
  const inventory = new WxCloudInventory(db);
  databases.set(inventory, db);
  await inventory.ensureCollections();
  return inventory;
}

/** Every document of the inventory's collections. */
async function raw(inventory: WxCloudInventory): Promise<string> {
  const db = databases.get(inventory)!;
  return JSON.stringify(Object.values(inventory.names).map((c) => db.dump(c)));
}

runInventoryContract('WxCloudInventory on the stand-in', make, { describe, it, expect, beforeEach, afterEach }, { numRuns: 30, raw });

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
