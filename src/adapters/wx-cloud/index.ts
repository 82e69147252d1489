/**
 * wx-orderkit/wx-cloud: the `OrderStore` for the WeChat cloud database (wx-server-sdk). The test
 * double of that database (`createCloudDatabaseStandIn`) is in wx-orderkit/testing.
 */
export { WxCloudOrderStore } from './store.js';
export type { WxCloudOrderStoreOptions } from './store.js';
export { DEFAULT_COLLECTIONS } from './documents.js';
export type { CollectionNames, OrderDoc, OutboxDoc, EventDoc, IdempotencyDoc, NumberClaimDoc, Journal, ChangeDoc } from './documents.js';
export type { CloudDatabase, CloudCollection, CloudQuery, CloudDocument, CloudCommand, CloudUpdateResult, CloudTransaction, CloudTransactionCollection } from './database.js';
export { CloudDatabaseError, InvalidDatabaseError, classifyCloudError, isDuplicateKey } from './errors.js';
export type { CloudFailure, CloudFailureKind } from './errors.js';
export { WxCloudInventory } from './inventory.js';
export type { WxCloudInventoryOptions } from './inventory.js';
export { WxCloudBalance } from './balance.js';
export type { WxCloudBalanceOptions } from './balance.js';
