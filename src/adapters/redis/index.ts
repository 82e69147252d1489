export { RedisInventory } from './inventory.js';
export type { RedisInventoryOptions, RedisLike } from './inventory.js';
export { connectRedis } from './connect.js';
