export type { BalanceMovement, BalanceResult, OrderBalance, BalancePort } from './types.js';
export { BALANCE_ERROR_CODES, isBalanceError, balanceErrors } from './errors.js';
export type { BalanceErrorCode } from './errors.js';
export { checkMovement, checkTopUp } from './check.js';
export { MemoryBalance, placeWithCompensation } from './memory.js';
