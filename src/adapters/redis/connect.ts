import { OrderkitError } from '../../errors/orderkit-error.js';
import type { RedisLike } from './inventory.js';

function missingPeer(name: string, cause: unknown): OrderkitError {
  return new OrderkitError({
    code: 'MISSING_PEER_DEPENDENCY',
    message: {
      'zh-CN': `wx-orderkit/redis 需要安装可选的对等依赖 ${name}：npm install ${name}`,
      en: `wx-orderkit/redis needs the optional peer dependency ${name}: npm install ${name}`,
    },
    details: { package: name, subpath: 'wx-orderkit/redis', cause: cause instanceof Error ? cause.message : String(cause) },
  });
}

/**
 * An ioredis client with settings that suit the inventory: a command fails after one retry
 * instead of queueing while Redis is down, so a placement answers INVENTORY_UNAVAILABLE at once.
 * ioredis is an optional peer dependency: without it this throws MISSING_PEER_DEPENDENCY.
 *
 * @example
 * const redis = await connectRedis('redis://127.0.0.1:6379/1');
 */
export async function connectRedis(url: string, options: Record<string, unknown> = {}): Promise<RedisLike> {
  let mod: { default?: unknown; Redis?: unknown };
  try {
    mod = (await import('ioredis')) as { default?: unknown; Redis?: unknown };
  } catch (cause) {
    const e = cause as { code?: unknown; message?: unknown };
    if ((e?.code === 'MODULE_NOT_FOUND' || e?.code === 'ERR_MODULE_NOT_FOUND') && String(e?.message ?? '').includes('ioredis')) throw missingPeer('ioredis', cause);
    throw cause;
  }
  const Redis = (mod.Redis ?? mod.default) as new (url: string, options: Record<string, unknown>) => RedisLike;
  return new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: true, ...options });
}
