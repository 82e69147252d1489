import { createApp, type OrderApp } from '../../../examples/express/src/app.js';
import { Auth, StaffAccounts, type AuthOptions } from '../../../examples/express/src/auth/index.js';
import type { Ops } from '../../../examples/express/src/ops.js';
import { storeFigures } from '../../../examples/express/src/figures.js';
import { createOrderService, MemoryOrderStore, type Clock, type Lifecycle, type OrderStore } from '../../../src/index.js';
import { MemoryBalance } from '../../../src/advanced.js';

/** A clock the test moves by hand. */
export class TestClock implements Clock {
  constructor(private t: number) {}
  now(): Date {
    return new Date(this.t);
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

export interface TestApp extends OrderApp {
  clock: TestClock;
  store: OrderStore;
  logs: string[];
}

/** The example app on an in-memory store (fast), or on the store given. */
export async function testApp(
  options: {
    store?: OrderStore;
    now?: string;
    wechatpay?: Parameters<typeof createApp>[0]['wechatpay'];
    lifecycle?: Lifecycle<string, { type: string }>;
    /** Default: DEMO mode (x-actor believed), as these route tests were written for. */
    auth?: AuthOptions;
    ops?: Ops;
    trustProxy?: boolean | number | string;
  } = {},
): Promise<TestApp> {
  const clock = new TestClock(Date.parse(options.now ?? '2026-11-25T04:00:00Z'));
  const store = options.store ?? new MemoryOrderStore();
  const balance = new MemoryBalance();
  const service = createOrderService(options.lifecycle ? { store, clock, balance, lifecycle: options.lifecycle } : { store, clock, balance });
  const logs: string[] = [];
  const auth = new Auth({ now: () => clock.now(), ...testAuthOptions(), ...(options.auth ?? { demo: true }) });
  const app = await createApp({
    auth,
    ...(options.ops ? { ops: options.ops } : {}),
    ...(options.trustProxy !== undefined ? { trustProxy: options.trustProxy } : {}),
    service,
    clock,
    figures: storeFigures(store),
    balance,
    log: (m, extra) => logs.push(extra === undefined ? m : `${m} ${String(extra)}`),
    ...(options.wechatpay ? { wechatpay: options.wechatpay } : {}),
    ...(options.lifecycle ? { lifecycle: options.lifecycle } : {}),
  });
  return { ...app, clock, store, logs };
}

/** Cheap bcrypt, no rate limits in the way of a thousand requests, cookies over plain http. */
export function testAuthOptions(): AuthOptions {
  return { staff: new StaffAccounts(4), secureCookies: false, limits: { signInPerMinute: 1_000_000, writesPerMinute: 1_000_000 }, secret: 'test-secret-test-secret-test-secret-0123' };
}

export const CUSTOMER = 'customer:c1';
export const OTHER_CUSTOMER = 'customer:c2';
export const MERCHANT = 'merchant:m1';
/** An admin in demo mode's `x-actor` header (docs/express.md "Sign-in"). */
export const ADMIN = 'admin:boss';
export const ADDRESS = { name: '张三', phone: '13800138000', province: '浙江', city: '杭州', district: '西湖区', detail: '龙井路 1 号' };

/** Checks the shape every error response must have: JSON with a stable code and both languages. */
export function expectErrorBody(body: unknown, code?: string): void {
  const b = body as { code?: unknown; message?: unknown; messages?: Record<string, unknown>; path?: unknown; issues?: unknown };
  if (typeof b !== 'object' || b === null) throw new Error(`error body is not an object: ${JSON.stringify(body)}`);
  if (typeof b.code !== 'string' || !/^[A-Z][A-Z0-9_]*$/.test(b.code)) throw new Error(`bad code in ${JSON.stringify(body)}`);
  if (code !== undefined && b.code !== code) throw new Error(`expected code ${code}, got ${b.code}: ${JSON.stringify(body)}`);
  if (typeof b.message !== 'string' || typeof b.messages?.['zh-CN'] !== 'string' || typeof b.messages?.en !== 'string') {
    throw new Error(`missing messages in ${JSON.stringify(body)}`);
  }
  if (!Array.isArray(b.path) || !Array.isArray(b.issues)) throw new Error(`missing path/issues in ${JSON.stringify(body)}`);
}
