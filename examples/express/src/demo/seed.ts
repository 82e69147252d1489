import { cartFor } from '../catalog.js';
import { createOrderNumber, createOrderService, type Actor, type CommandInput, type OrderService, type OrderStore, type PricingRules } from '../orderkit/index.js';
import { seededRandom } from './random.js';
import { planMonth, type PlannedOrder, type Step } from './scenario.js';

const HOUR = 3_600_000;
const MERCHANT: Actor = { type: 'merchant', id: 'm001', roles: ['staff'] };
const GATEWAY: Actor = { type: 'payment', gateway: 'demo' };

export interface SeedOptions {
  /** Runs a group of steps in one transaction (see `Storage.batch`). */
  batch: <T>(body: (store: OrderStore) => Promise<T>) => Promise<T>;
  rules: PricingRules;
  /** The simulated month ends here (now). */
  end: Date;
  days?: number;
  seed?: number;
  /** Steps per transaction. Default 150. */
  batchSize?: number;
  onProgress?: (done: number, total: number, orders: number) => void;
}

export interface SeedReport {
  orders: number;
  steps: number;
  /** Steps the lifecycle refused (an order already closed by the sweeper, say): expected, and harmless. */
  refused: number;
  refusedByCode: Record<string, number>;
}

/**
 * Seeds a month of a demo shop THROUGH THE REAL SERVICE: every order is placed with `place`
 * (priced by priceCart), and every later change is a `dispatch` or a `sweep` at its simulated
 * moment, on a service whose clock is moved step by step. Nothing is written around the service.
 */
export async function seedDemoShop(options: SeedOptions): Promise<SeedReport> {
  const rand = seededRandom(options.seed ?? 20261125);
  const end = options.end.getTime();
  const { orders, steps } = planMonth(rand, end, options.days ?? 30, (at) => createOrderNumber({ now: new Date(at), random: rand.next }));
  const byId = new Map(orders.map((o) => [o.id, o]));
  // The sweeper runs hourly through the simulated month: it expires unpaid orders and confirms old deliveries.
  const first = steps[0]?.at ?? end;
  const all: Array<Step | { at: number; kind: 'sweep' }> = [...steps];
  for (let t = first + HOUR; t < end; t += HOUR) all.push({ at: t, kind: 'sweep' });
  all.sort((a, b) => a.at - b.at);

  let now = first;
  const clock = { now: () => new Date(now) };
  const report: SeedReport = { orders: 0, steps: all.length, refused: 0, refusedByCode: {} };
  const size = options.batchSize ?? 150;
  for (let i = 0; i < all.length; i += size) {
    await options.batch(async (store) => {
      const service = createOrderService({ store, clock });
      let n = 0;
      for (const step of all.slice(i, i + size)) {
        // An embedded database answers in microtasks: without a real pause now and then the
        // seeder would starve the HTTP server it shares the process with.
        if (++n % 20 === 0) await pause();
        now = step.at;
        if (step.kind === 'sweep') {
          await service.sweep(new Date(now));
          continue;
        }
        const code = await runStep(service, step, byId.get(step.orderId)!, options.rules);
        if (step.kind === 'place' && code === null) report.orders++;
        if (code !== null) {
          report.refused++;
          report.refusedByCode[code] = (report.refusedByCode[code] ?? 0) + 1;
        }
      }
    });
    options.onProgress?.(Math.min(i + size, all.length), all.length, report.orders);
    await pause();
  }
  return report;
}

const pause = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Runs one step; null when it went through, else the refusal's code. */
async function runStep(service: OrderService, step: Step, plan: PlannedOrder, rules: PricingRules): Promise<string | null> {
  const customer: Actor = { type: 'customer', id: plan.customerId };
  const send = async (command: CommandInput, actor: Actor) => {
    const r = await service.dispatch(plan.id, command, actor);
    return r.ok ? null : r.error.code;
  };
  const current = async () => service.get(plan.id);
  switch (step.kind) {
    case 'place': {
      const claimedAt = new Date(plan.placedAt - 2 * 24 * HOUR).toISOString();
      const cart = cartFor({
        items: plan.items,
        region: plan.province,
        ...(plan.member ? { member: { level: 'gold' } } : {}),
        ...(plan.coupon ? { coupons: [{ id: `w-${plan.id}`, definitionId: 'C10', claimedAt }] } : {}),
        ...(plan.points ? { pointsBalance: 3000, pointsToUse: 'max' as const } : {}),
      });
      const r = await service.place({
        id: plan.id,
        number: plan.id,
        customerId: plan.customerId,
        cart,
        rules,
        address: { name: `顾客${plan.customerId.slice(1)}`, phone: '138****0000', province: plan.province, city: '—', detail: '演示地址 Demo address' },
        channel: plan.channel,
      });
      return r.ok ? null : r.error.code;
    }
    case 'pay': {
      const o = await current();
      if (!o) return 'ORDER_NOT_FOUND';
      return send({ type: 'PAYMENT_SUCCEEDED', amount: o.pricing.total, transactionId: `DEMO${o.number}` }, GATEWAY);
    }
    case 'cancel':
      return send({ type: 'CANCEL', reason: '不想要了 changed my mind' }, customer);
    case 'ship':
      return send({ type: 'SHIP', trackingNo: `SF${plan.id.slice(-10)}`, expressCompany: '顺丰速运' }, MERCHANT);
    case 'deliver':
      return send({ type: 'DELIVER' }, MERCHANT);
    case 'confirm':
      return send({ type: 'CONFIRM_RECEIPT' }, customer);
    case 'refundBeforeShipment':
      return send({ type: 'REQUEST_AFTER_SALE', kind: 'refund_only', reason: '拍错了 ordered by mistake' }, customer);
    case 'refundDamaged':
    case 'requestReturn': {
      const o = await current();
      const line = o?.lines.find((l) => l.fulfillment !== 'virtual');
      if (!o || !line) return 'NOTHING_TO_REFUND';
      const kind = step.kind === 'refundDamaged' ? 'refund_only' : 'return_and_refund';
      return send({ type: 'REQUEST_AFTER_SALE', kind, items: [{ lineId: line.id, quantity: 1 }], reason: kind === 'refund_only' ? '包装破损 damaged' : '不合口味 not to my taste' }, customer);
    }
    case 'approve':
    case 'reject':
    case 'returnShipped':
    case 'returnReceived': {
      const afterSale = (await current())?.afterSales.slice(-1)[0];
      if (!afterSale) return 'UNKNOWN_AFTER_SALE';
      const afterSaleId = afterSale.id;
      if (step.kind === 'approve') return send({ type: 'APPROVE_AFTER_SALE', afterSaleId }, MERCHANT);
      if (step.kind === 'reject') return send({ type: 'REJECT_AFTER_SALE', afterSaleId, reason: '已超出可退范围 outside our policy' }, MERCHANT);
      if (step.kind === 'returnShipped') return send({ type: 'RETURN_SHIPPED', afterSaleId, trackingNo: `YT${plan.id.slice(-8)}`, expressCompany: '圆通速递' }, customer);
      return send({ type: 'RETURN_RECEIVED', afterSaleId }, MERCHANT);
    }
    case 'settleRefunds': {
      const o = await current();
      let code: string | null = null;
      for (const refund of o?.refunds.filter((r) => r.status === 'pending') ?? []) {
        code = (await send({ type: 'REFUND_SUCCEEDED', refundId: refund.id }, GATEWAY)) ?? code;
      }
      return code;
    }
  }
}
