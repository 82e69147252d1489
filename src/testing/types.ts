import type { OrderStore } from '../storage/port.js';

/**
 * The contract suite takes the test functions as arguments, so it runs under vitest, jest or
 * node:test adapters alike and `orderkit/testing` never imports a test runner itself.
 */
export interface ContractAssertion {
  toBe(expected: unknown): void;
  toEqual(expected: unknown): void;
  toBeNull(): void;
  toBeUndefined(): void;
  toHaveLength(length: number): void;
  toBeGreaterThan(n: number): void;
  toBeGreaterThanOrEqual(n: number): void;
  toBeLessThanOrEqual(n: number): void;
  toContain(item: unknown): void;
  not: Omit<ContractAssertion, 'not'>;
}
export type ContractExpect = (actual: unknown) => ContractAssertion;
export type TestBody = () => Promise<void> | void;

export interface ContractTestApi {
  describe: (name: string, body: () => void) => unknown;
  it: (name: string, body: TestBody, timeout?: number) => unknown;
  expect: ContractExpect;
  beforeEach: (body: TestBody) => unknown;
  afterEach?: (body: TestBody) => unknown;
}

/**
 * Ways to damage a store's rows on purpose, so the suite can check that the store refuses them.
 * Optional: without it the corruption tests are skipped.
 */
export interface StoreTamper<S extends OrderStore = OrderStore> {
  /** Replace the stored document of an order with `text`, keeping its columns. */
  replaceDocument(store: S, orderId: string, text: string): Promise<void>;
  /** Set the order's stored version (row and document) to `version`, leaving its events alone. */
  rewindVersion(store: S, orderId: string, version: number): Promise<void>;
}

export interface ContractOptions<S extends OrderStore = OrderStore> {
  /** fast-check runs of the model-based test. Default 25. */
  numRuns?: number;
  tamper?: StoreTamper<S>;
  /** How long to wait for a change-feed notification. Default 2000 ms. */
  feedTimeoutMs?: number;
  /** Per-test timeout passed to `it`. Default 60 000 ms. */
  timeoutMs?: number;
}

/** A fresh, empty store per test (a shared database may be truncated instead of recreated). */
export type MakeStore<S extends OrderStore = OrderStore> = () => S | Promise<S>;

/** What each part of the suite receives. */
export interface ContractContext<S extends OrderStore = OrderStore> {
  t: ContractTestApi;
  store: () => S;
  makeStore: MakeStore<S>;
  options: Required<Omit<ContractOptions<S>, 'tamper'>> & { tamper?: StoreTamper<S> };
}
