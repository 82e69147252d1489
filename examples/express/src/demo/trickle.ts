import { cartFor, PRODUCTS } from '../catalog.js';
import { createOrderNumber, type Actor, type CommandInput, type OrderService, type PricingRules } from '../orderkit/index.js';
import type { Random } from './random.js';

export interface Trickle {
  stop(): void;
}

const MERCHANT: Actor = { type: 'merchant', id: 'm001', roles: ['staff'] };
const GATEWAY: Actor = { type: 'payment', gateway: 'demo' };

/**
 * Keeps the demo shop alive: a new order every few seconds on the real clock, most of them paid
 * and shipped moments later, so the dashboard has something to show. Refunds are paid out by the
 * outbox worker's demo gateway, unpaid orders closed by the live sweeper after 30 minutes.
 */
export function startTrickle(options: { service: OrderService; rules: PricingRules; rand: Random; everyMs?: [number, number]; log?: (m: string) => void }): Trickle {
  const { service, rules, rand } = options;
  const [lo, hi] = options.everyMs ?? [4_000, 10_000];
  const timers = new Set<ReturnType<typeof setTimeout>>();
  let stopped = false;
  const later = (ms: number, run: () => Promise<unknown>) => {
    if (stopped) return;
    const t = setTimeout(() => {
      timers.delete(t);
      if (!stopped) run().catch((e: unknown) => options.log?.(`trickle: ${e instanceof Error ? e.message : String(e)}`));
    }, ms);
    t.unref();
    timers.add(t);
  };
  const send = (id: string, command: CommandInput, actor: Actor) => service.dispatch(id, command, actor);

  const placeOne = async () => {
    const customerId = `c${String(rand.int(1, 400)).padStart(3, '0')}`;
    const customer: Actor = { type: 'customer', id: customerId };
    const number = createOrderNumber({ now: new Date(), random: Math.random });
    const sku = rand.pick(PRODUCTS.filter((p) => p.fulfillment !== 'virtual')).sku;
    const placed = await service.place({
      id: number,
      number,
      customerId,
      cart: cartFor({ items: [{ sku, quantity: rand.int(1, 2) }], region: '浙江' }),
      rules,
      address: { name: `顾客${customerId.slice(1)}`, phone: '138****0000', province: '浙江', city: '杭州', detail: '演示地址 Demo address' },
    });
    if (!placed.ok) return;
    const id = placed.order.id;
    const fate = rand.next();
    if (fate < 0.05) return later(rand.int(3_000, 8_000), () => send(id, { type: 'CANCEL' }, customer));
    if (fate < 0.12) return; // left unpaid: the sweeper closes it when payment times out
    later(rand.int(3_000, 15_000), async () => {
      await send(id, { type: 'PAYMENT_SUCCEEDED', amount: placed.order.pricing.total, transactionId: `DEMO${number}` }, GATEWAY);
      if (rand.chance(0.04)) return later(rand.int(5_000, 15_000), () => send(id, { type: 'REQUEST_AFTER_SALE', kind: 'refund_only', reason: '拍错了' }, customer));
      if (rand.chance(0.2)) return; // waits for the merchant: shows up in the fulfilment queue
      later(rand.int(10_000, 40_000), async () => {
        await send(id, { type: 'SHIP', trackingNo: `SF${number.slice(-10)}`, expressCompany: '顺丰速运' }, MERCHANT);
        if (rand.chance(0.5)) later(rand.int(20_000, 60_000), () => send(id, { type: 'DELIVER' }, MERCHANT));
        if (rand.chance(0.5)) later(rand.int(60_000, 120_000), () => send(id, { type: 'CONFIRM_RECEIPT' }, customer));
      });
    });
  };

  const loop = () => {
    later(rand.int(lo, hi), async () => {
      try {
        await placeOne();
      } finally {
        loop();
      }
    });
  };
  loop();
  return {
    stop() {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
}
