export { runOrderStoreContract } from './contract.js';
export type {
  ContractTestApi,
  ContractExpect,
  ContractAssertion,
  ContractOptions,
  StoreTamper,
  MakeStore,
} from './types.js';
export { testOrder, nextVersion, createdEvent, testEffects, TEST_EPOCH } from './fixtures.js';
export type { TestOrderInit, TestStep } from './fixtures.js';
