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
export { checkLifecycle } from './checker.js';
export type { CheckableLifecycle, CheckerOrder, CheckInvariant, CheckOptions, CheckReport, CheckStep, CheckViolation } from './checker.js';
export { CHECKER_ACTORS, CHECKER_CUSTOMER_ID, CHECKER_PLACEMENTS, DEFAULT_PAYLOADS, checkerPlacement, AFTER_SALE_DEPTH_PAYLOADS, DELIVERY_PLACEMENTS, CHECKER_PICKUP_CODE } from './checker-domain.js';
export type { CheckerCommand, CheckerPlacement, PayloadGenerator } from './checker-domain.js';
export { runInventoryContract } from './contract-inventory.js';
export { runBalanceContract } from './contract-balance.js';
export type { BalanceContractOptions } from './contract-balance.js';
export type { InventoryContractOptions } from './contract-inventory.js';
export { createCloudDatabaseStandIn, STAND_IN_LABEL } from './cloud-database-stand-in.js';
export type {
  CloudDatabaseStandIn,
  CloudDatabaseStandInOptions,
  StandInOperation,
  StandInTransaction,
  StandInFault,
  MiniProgramDatabase,
  MiniProgramQuery,
  WatchOptions,
  WatchSnapshot,
  Watcher,
} from './cloud-database-stand-in.js';
