// Runs under old Node binaries (see node16.test.ts): the service over MemoryOrderStore from the
// CommonJS build, end to end, printing what it saw as one JSON line.
const { createOrderService, MemoryOrderStore } = require('../../dist/index.cjs');
const postgres = require('../../dist/postgres.cjs');

const start = new Date('2026-11-25T04:00:00.000Z');
let now = start.getTime();
const clock = { now: () => new Date(now) };
const line = { id: 'a', sku: 'SKU-a', title: 'Tea 茶', fulfillment: 'physical', listPrice: 1000, unitPrice: 1000, quantity: 2, subtotal: 2000, allocations: [], payable: 2000 };
const quote = { lines: [line], adjustments: [], itemsTotal: 2000, discountTotal: 0, freight: 0, pointsUsed: 0, pointsDeduction: 0, total: 2000, savings: 0, couponIds: [], rejectedCoupons: [] };

(async () => {
  const store = new MemoryOrderStore();
  const heard = [];
  store.subscribe((c) => heard.push(`${c.orderId}@${c.version}:${c.status}`));
  const service = createOrderService({ store, clock, ids: { orderId: (() => { let n = 0; return () => `o${++n}`; })(), orderNumber: () => `N${now}` } });
  const a = await service.place({ customerId: 'u1', quote }, { idempotencyKey: 'cart-1' });
  now += 1;
  const again = await service.place({ customerId: 'u1', quote }, { idempotencyKey: 'cart-1' });
  now += 1;
  const b = await service.place({ customerId: 'u1', quote });
  const paid = await service.dispatch('o1', { type: 'PAYMENT_SUCCEEDED', amount: 2000, transactionId: 'tx1' }, { type: 'payment', gateway: 'wechatpay' });
  const dup = await service.dispatch('o1', { type: 'PAYMENT_SUCCEEDED', amount: 2000, transactionId: 'tx1' }, { type: 'payment', gateway: 'wechatpay' });
  const refused = await service.dispatch('o1', { type: 'EXPIRE' }, { type: 'system' });
  now += 31 * 60_000;
  const sweep = await service.sweep();
  const delivered = [];
  const drain = await service.drainOutbox({ notify: (e) => { delivered.push(e.id); } });
  const page = await service.list({ customerId: 'u1', limit: 1 });
  const next = await service.list({ customerId: 'u1', limit: 1, cursor: page.nextCursor });
  await new Promise((r) => setTimeout(r, 0));
  console.log(JSON.stringify({
    node: process.version,
    placed: [a.ok && a.order.id, again.ok && again.replayed, b.ok && b.order.id],
    paid: paid.ok && [paid.order.status, paid.order.version],
    dup: dup.ok && dup.changed,
    refused: refused.ok ? 'ok' : refused.error.code,
    sweep,
    drain,
    delivered: delivered.length,
    pages: [page.items.map((o) => o.id), next.items.map((o) => o.id)],
    history: (await service.history('o2')).map((e) => e.type),
    heard,
    postgres: [typeof postgres.PostgresOrderStore, typeof postgres.migrate, postgres.MIGRATIONS.length],
  }));
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
