import type { EffectHandlers, OrderService } from './orderkit/index.js';

export interface WorkerOptions {
  service: OrderService;
  /** How often to look for due orders (payment timeouts, auto-confirmations). Default 5 s. */
  sweepEveryMs?: number;
  /** How often to deliver outbox effects. Default 2 s. */
  drainEveryMs?: number;
  handlers: EffectHandlers;
  log: (message: string) => void;
  /** The automatic actions (docs/analytics.md "Automatic actions"), run every `automationsEveryMs` (default 60 s). */
  automations?: { run(): Promise<{ fired: unknown[]; alerts: unknown[] }> };
  automationsEveryMs?: number;
}

export interface Workers {
  /** Runs one round of each now (tests, or right after seeding). */
  tick(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The sweeper and the outbox worker, as timers in the web process. Several instances may run them
 * at once: `findDue` and `claim` lease rows in the database (SKIP LOCKED), so instances split the
 * work instead of doing it twice. A round never overlaps the previous one of its kind.
 */
export function startWorkers(options: WorkerOptions): Workers {
  const { service, log } = options;
  let stopped = false;
  const running = new Set<Promise<void>>();

  const loop = (name: string, everyMs: number, round: () => Promise<void>) => {
    let busy = false;
    const timer = setInterval(() => {
      if (busy || stopped) return;
      busy = true;
      const p = round()
        .catch((error: unknown) => log(`${name} failed: ${error instanceof Error ? error.message : String(error)}`))
        .finally(() => {
          busy = false;
          running.delete(p);
        });
      running.add(p);
    }, everyMs);
    timer.unref();
    return timer;
  };

  const sweepRound = async () => {
    const r = await service.sweep();
    if (r.expired + r.autoConfirmed + r.paidLate + r.gatewayUnreachable > 0) {
      log(
        `sweeper: ${r.expired} expired (超时关闭; ${r.expiredUnverified} without the gateway's word), ${r.autoConfirmed} auto-confirmed (自动确认收货), ${r.paidLate} paid late, ${r.gatewayUnreachable} left open: payment gateway unreachable (支付网关不可达，下次再查)`,
      );
    }
  };
  const drainRound = async () => {
    const r = await service.drainOutbox(options.handlers, { limit: 100, maxBatches: 10 });
    if (r.failed + r.unhandled > 0) log(`outbox: ${r.delivered} delivered, ${r.failed} failed, ${r.unhandled} without a handler`);
  };
  const automationRound = async () => {
    if (!options.automations) return;
    const r = await options.automations.run();
    if (r.fired.length + r.alerts.length > 0) log(`automations: ${r.fired.length} fired (催付/发货预警/极速退款), ${r.alerts.length} anomaly alerts`);
  };
  const timers = [loop('sweeper', options.sweepEveryMs ?? 5_000, sweepRound), loop('outbox worker', options.drainEveryMs ?? 2_000, drainRound)];
  if (options.automations) timers.push(loop('automations', options.automationsEveryMs ?? 60_000, automationRound));

  return {
    async tick() {
      await sweepRound();
      await automationRound();
      await drainRound();
    },
    async stop() {
      stopped = true;
      for (const t of timers) clearInterval(t);
      await Promise.allSettled([...running]);
    },
  };
}

/**
 * DEMO effect handlers: they record what a real shop would do (call WeChat Pay's refund and
 * close-order APIs, upload shipping info, send subscribe messages, release stock and coupons).
 * With the demo gateway on, a `payment.refund` is "paid out" at once by reporting REFUND_SUCCEEDED
 * back, the way WeChat Pay's refund notification would.
 */
export function demoHandlers(options: { service: OrderService; demoGateway: boolean; record: (line: string) => void }): EffectHandlers {
  const { service, record } = options;
  return {
    async 'payment.refund'(effect) {
      record(`refund ${effect.refundId}: ¥${(effect.amount / 100).toFixed(2)} of ${effect.outTradeNo} (${effect.reason})`);
      if (!options.demoGateway) return;
      const r = await service.dispatch(effect.orderId, { type: 'REFUND_SUCCEEDED', refundId: effect.refundId }, { type: 'payment', gateway: 'demo' });
      // Already settled (a repeat delivery, or a refund the seeder completed): nothing left to do.
      if (!r.ok && r.error.code !== 'REFUND_ALREADY_SUCCEEDED' && r.error.code !== 'UNKNOWN_REFUND') throw r.error;
    },
    'payment.close': (effect) => record(`close payment ${effect.outTradeNo}`),
    'inventory.release': (effect) => record(`release stock of ${effect.orderId}: ${effect.items.map((i) => `${i.sku}×${i.quantity}`).join(', ')}`),
    'coupon.release': (effect) => record(`return coupons ${effect.couponIds.join(', ')}`),
    'points.release': (effect) => record(`give back ${effect.points} points (${effect.reason})`),
    'points.grant': (effect) => record(`credit ${effect.points} earned points`),
    'points.clawback': (effect) => record(`take back ${effect.points} earned points (${effect.reason})`),
    'shipping.upload': (effect) => record(`upload shipping info ${effect.shipmentId} (${effect.logisticsType}${effect.allDelivered ? ', all delivered' : ''})`),
    notify: (effect) => record(`notify ${effect.to}: ${effect.template}`),
  };
}
