import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryInventory } from '../../src/inventory/index.js';
import { runInventoryContract } from '../../src/testing/index.js';
import { memoryInventoryRaw } from '../support/raw.js';

runInventoryContract('MemoryInventory', () => new MemoryInventory(), { describe, it, expect, beforeEach, afterEach }, { numRuns: 60, raw: async (inventory) => memoryInventoryRaw(inventory) });
