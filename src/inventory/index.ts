export { MemoryInventory } from './memory.js';
export { INVENTORY_ERROR_CODES, isInventoryError, outOfStock, limitReached, unknownSku, invalidQuantity, inventoryUnavailable, inventoryPlacementUnknown } from './errors.js';
export type { InventoryErrorCode } from './errors.js';
export { sumItems, checkHold, checkGiveBack, checkSetup, checkTake, limitKeyOf } from './check.js';
export type { InventoryPort, StockPolicy, StockItem, PurchaseLimit, SkuSetup, StockLevel, HoldRequest, GiveBackRequest, HoldResult, TakeRequest } from './types.js';
