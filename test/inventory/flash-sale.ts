import type pg from 'pg';
import { migrate, migrateInventory, PostgresInventory, PostgresOrderStore } from '../../src/adapters/postgres/index.js';
import { RedisInventory } from '../../src/adapters/redis/index.js';
import type { InventoryPort } from '../../src/inventory/index.js';
import { createOrderService, type OrderService } from '../../src/service/index.js';
import { gateway, line, manualClock, MINUTE, quote } from '../service/fixtures.js';

/**
 * The 秒杀 race (issue 19 item 4), shared by the small version in the normal suite and the
 * 10,000-buyer one in test/load: `buyers` buyers for `units` units of one SKU through
 * `service.place`, 限购 1, each buyer sending 3 placements at once; then `expire` of the winners
 * do not pay and are expired by the sweeper, and `later` new buyers race for what came back.
 */
export interface FlashSaleResult {
  placements: number;
  won: string[];
  winners: Set<string>;
  refusals: Record<string, number>;
  heldInLedger: number;
  maxPerBuyer: number;
  available: number;
  expired: number;
  laterWon: number;
  laterWinners: Set<string>;
  afterHeld: number;
  afterMaxPerBuyer: number;
  /** Redis against its ledger after everything (empty: they agree; always empty on the PostgreSQL path). */
  audit: string[];
}

export type Path = 'postgres' | 'redis';

export async function flashSale(options: {
  pool: pg.Pool;
  schema: string;
  path: Path;
  redis?: any;
  prefix?: string;
  buyers: number;
  units: number;
  expire: number;
  later: number;
  concurrency?: number;
}): Promise<FlashSaleResult> {
  const { pool, schema } = options;
  await migrate(pool, { schema });
  await migrateInventory(pool, { schema });
  const inventory: InventoryPort =
    options.path === 'postgres' ? new PostgresInventory({ db: pool, schema }) : new RedisInventory({ redis: options.redis, ledger: pool, schema, prefix: options.prefix! });
  await inventory.configure({ sku: 'FLASH', available: options.units, limit: { perCustomer: 1 } });
  const clock = manualClock();
  let n = 0;
  const service: OrderService = createOrderService({
    store: new PostgresOrderStore({ db: pool, schema }),
    inventory,
    clock,
    ids: { orderId: () => `fs-${++n}`, orderNumber: () => `FS${String(n).padStart(10, '0')}` },
  });
  const refusals: Record<string, number> = {};
  const won: Array<{ id: string; buyer: string }> = [];
  const concurrency = options.concurrency ?? 32;

  async function race(from: number, to: number): Promise<Array<{ id: string; buyer: string }>> {
    const mine: Array<{ id: string; buyer: string }> = [];
    let next = from;
    const worker = async (): Promise<void> => {
      while (next < to) {
        const buyer = `buyer-${next++}`;
        const three = await Promise.all(
          [0, 1, 2].map(() => service.place({ customerId: buyer, quote: quote([line('f', 1, 100, { sku: 'FLASH' })]) })),
        );
        for (const r of three) {
          if (r.ok) mine.push({ id: r.order.id, buyer });
          else refusals[r.error.code] = (refusals[r.error.code] ?? 0) + 1;
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    return mine;
  }

  won.push(...(await race(0, options.buyers)));
  const firstRefusals = { ...refusals };
  const ledger = async (): Promise<{ held: number; maxPerBuyer: number }> => {
    const { rows } = await pool.query<{ held: string; max: string }>(
      `SELECT coalesce(sum(s), 0) AS held, coalesce(max(s), 0) AS max FROM (SELECT sum(quantity) AS s FROM "${schema}".inventory_holds WHERE sku = 'FLASH' GROUP BY customer_id) x`,
    );
    return { held: Number(rows[0]!.held), maxPerBuyer: Number(rows[0]!.max) };
  };
  const first = await ledger();
  const available = (await inventory.level('FLASH'))!.available;

  // All but `expire` winners pay; the sweeper expires the rest after the pay-by time.
  for (const w of won.slice(options.expire)) {
    const paid = await service.dispatch(w.id, { type: 'PAYMENT_SUCCEEDED', amount: 100, transactionId: `tx-${w.id}` }, gateway);
    if (!paid.ok) throw paid.error;
  }
  clock.advance(31 * MINUTE);
  const report = await service.sweep();
  const later = await race(options.buyers, options.buyers + options.later);
  const after = await ledger();
  return {
    placements: options.buyers * 3,
    won: won.map((w) => w.id),
    winners: new Set(won.map((w) => w.buyer)),
    refusals: firstRefusals,
    heldInLedger: first.held,
    maxPerBuyer: first.maxPerBuyer,
    available,
    expired: report.expired,
    laterWon: later.length,
    laterWinners: new Set(later.map((w) => w.buyer)),
    afterHeld: after.held,
    afterMaxPerBuyer: after.maxPerBuyer,
    audit: inventory instanceof RedisInventory ? await inventory.audit() : [],
  };
}
