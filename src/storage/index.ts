export type {
  OrderStore,
  CreateOptions,
  CommitInput,
  CommitOutcome,
  ListQuery,
  OrderPage,
  FindDueOptions,
  OutboxEntry,
  IdempotencyRecord,
  IdempotencyRequest,
  OrderChange,
  OrderChangeListener,
  SubscribeOptions,
  Unsubscribe,
  PersonalDataRedaction,
  PlacementInDoubt,
  PlacementOutcome,
} from './port.js';
export {
  VersionConflictError,
  OrderExistsError,
  OrderNotFoundError,
  CorruptOrderError,
  STORAGE_ERROR_CODES,
  isVersionConflict,
} from './errors.js';
export type { CorruptionReason } from './errors.js';
export type { DoubtNote } from './placement.js';
export { ORDER_SCHEMA_VERSION, storedOrderDocument, storedOrderText, upgradeStoredOrder } from './schema-version.js';
export type { OrderUpgrade, UpgradeChain } from './schema-version.js';
export { MemoryOrderStore, createMemoryOrderData } from './memory-store.js';
export type { MemoryOrderStoreOptions, MemoryOrderData, MemoryOrderRow, MemoryOutboxRow } from './memory-store.js';
