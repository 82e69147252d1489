import type { OrderStore } from '../storage/port.js';
import { coreContract } from './contract-core.js';
import { modelContract } from './contract-model.js';
import { outboxContract } from './contract-outbox.js';
import { queryContract } from './contract-query.js';
import type { ContractContext, ContractOptions, ContractTestApi, MakeStore } from './types.js';

/**
 * The `OrderStore` contract: every rule of the port as tests, for any adapter. Call it inside a
 * test file with your runner's functions; it needs `fast-check` installed (a dev dependency of
 * yours). `makeStore` is called before each test and must return an empty store.
 *
 * @example
 * import { describe, it, expect, beforeEach, afterEach } from 'vitest';
 * import { MemoryOrderStore } from 'wx-orderkit';
 * import { runOrderStoreContract } from 'wx-orderkit/testing';
 *
 * runOrderStoreContract('MemoryOrderStore', () => new MemoryOrderStore(), { describe, it, expect, beforeEach, afterEach });
 */
export function runOrderStoreContract<S extends OrderStore>(
  name: string,
  makeStore: MakeStore<S>,
  api: ContractTestApi,
  options: ContractOptions<S> = {},
): void {
  let current: S | null = null;
  const ctx: ContractContext<S> = {
    t: api,
    makeStore,
    store: () => {
      if (current === null) throw new Error('the contract suite has no store: did beforeEach run?');
      return current;
    },
    options: {
      numRuns: options.numRuns ?? 25,
      feedTimeoutMs: options.feedTimeoutMs ?? 2000,
      timeoutMs: options.timeoutMs ?? 60_000,
      ...(options.tamper ? { tamper: options.tamper } : {}),
    },
  };
  api.describe(`OrderStore contract: ${name}`, () => {
    api.beforeEach(async () => {
      current = await makeStore();
    });
    api.afterEach?.(async () => {
      const store = current;
      current = null;
      await store?.close?.();
    });
    coreContract(ctx);
    queryContract(ctx);
    outboxContract(ctx);
    modelContract(ctx);
  });
}
