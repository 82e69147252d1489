/**
 * wx-orderkit/wx-cloud: the `OrderStore` for the WeChat cloud database (wx-server-sdk), and a TEST
 * DOUBLE of that database for tests (`createCloudDatabaseStandIn`, not the cloud database).
 */
export { WxCloudOrderStore } from './store.js';
export type { WxCloudOrderStoreOptions } from './store.js';
export { DEFAULT_COLLECTIONS } from './documents.js';
export type { CollectionNames, OrderDoc, OutboxDoc, EventDoc, IdempotencyDoc, NumberClaimDoc, Journal, ChangeDoc } from './documents.js';
export type { CloudDatabase, CloudCollection, CloudQuery, CloudDocument, CloudCommand, CloudUpdateResult, CloudTransaction, CloudTransactionCollection } from './database.js';
export { CloudDatabaseError, InvalidDatabaseError, classifyCloudError, isDuplicateKey } from './errors.js';
export type { CloudFailure, CloudFailureKind } from './errors.js';
export { createCloudDatabaseStandIn, STAND_IN_LABEL } from './stand-in.js';
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
} from './stand-in.js';
