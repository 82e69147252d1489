export * from './primitives.js';
export * from './status.js';
export * from './actor.js';
export * from './order-schema.js';
export * from './commands.js';
export * from './events-effects.js';
export { createOrderNumber, MAX_ORDER_NUMBER_LENGTH, OUT_TRADE_NO_PATTERN } from './order-number.js';
export type { CreateOrderNumberOptions } from './order-number.js';
export { orderJsonSchema, commandJsonSchema } from './json-schema.js';
