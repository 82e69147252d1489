import { describe } from 'vitest';
import { MemoryInventory } from '../../src/inventory/index.js';
import { MemoryOrderStore } from '../../src/storage/index.js';
import { serviceScenarios } from './service-scenarios.js';

describe('service with MemoryOrderStore + MemoryInventory', () => {
  serviceScenarios(async () => ({ store: new MemoryOrderStore(), inventory: new MemoryInventory() }));
});
