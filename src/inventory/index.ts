export { MemoryInventory } from './memory.js';
export { INVENTORY_ERROR_CODES, isInventoryError, outOfStock, limitReached, unknownSku, invalidQuantity, inventoryUnavailable } from './errors.js';
export type { InventoryErrorCode } from './errors.js';
export { sumItems, checkHold, checkGiveBack, checkSetup, limitKeyOf } from './check.js';
export type { InventoryPort, StockPolicy, StockItem, PurchaseLimit, SkuSetup, StockLevel, HoldRequest, GiveBackRequest, HoldResult } from './types.js';
