export type {
  OrderStore,
  CreateOptions,
  CommitInput,
  ListQuery,
  OrderPage,
  OutboxEntry,
  IdempotencyRecord,
  OrderChange,
  OrderChangeListener,
  Unsubscribe,
} from './port.js';
