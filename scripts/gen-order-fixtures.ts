/**
 * `npx tsx scripts/gen-order-fixtures.ts`: writes test/fixtures/orders/v<N>/, the orders of every
 * scenario below as each store keeps them, where N is the stored-order schema version this code
 * writes (`ORDER_SCHEMA_VERSION`, docs/storage.md "Stored order versions").
 *
 * Each scenario is played through the real service, once per store: the in-memory store (its JSON
 * text), `PostgresOrderStore` on PGlite (the `orders` row with `doc::text` and `doc_md5`, and the
 * `order_events` rows) and `WxCloudOrderStore` on the cloud-database test double (the order
 * record and its event records). The files are what a database holds after this version wrote
 * it; test/storage/stored-orders.test.ts loads them through every store of every later version
 * and sends the scenario's next command.
 *
 * A directory that already exists is never overwritten (fixtures of a released version are
 * frozen): run it once per new schema version. `--out DIR` writes elsewhere (to compare).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { migrate, PostgresOrderStore } from '../src/adapters/postgres/index.js';
import { WxCloudOrderStore } from '../src/adapters/wx-cloud/index.js';
import { createCloudDatabaseStandIn } from '../src/testing/index.js';
import type { Actor, Command, Line, QuoteDelivery } from '../src/order/index.js';
import type { Quote } from '../src/pricing/quote.js';
import { createOrderService, type OrderService } from '../src/service/index.js';
import { MemoryBalance } from '../src/balance/index.js';
import { MemoryOrderStore, ORDER_SCHEMA_VERSION, type OrderStore } from '../src/storage/index.js';
import { createLifecycle, deleteOrder, orderCommands } from '../src/lifecycle/index.js';

/** orderkit's commands and the opt-in 删除订单 (DELETE_ORDER), which a scenario of version 3 uses. */
const lifecycle = createLifecycle({ commands: [...orderCommands, deleteOrder] });

const START = Date.parse('2026-11-25T04:00:00.000Z');
const MINUTE = 60_000;
const DAY = 86_400_000;

const customer: Actor = { type: 'customer', id: 'u1' };
const merchant: Actor = { type: 'merchant', id: 'staff-1' };
const gateway: Actor = { type: 'payment', gateway: 'wechatpay' };
const system: Actor = { type: 'system' };

function line(id: string, quantity: number, unit: number, fulfillment: Line['fulfillment'] = 'physical'): Line {
  return { id, sku: `SKU-${id}`, title: `Item ${id} 商品`, fulfillment, listPrice: unit, unitPrice: unit, quantity, subtotal: unit * quantity, allocations: [], payable: unit * quantity };
}

function quote(lines: Line[], freight = 0): Quote {
  const items = lines.reduce((s, l) => s + l.payable, 0);
  return { lines, adjustments: [], itemsTotal: items, discountTotal: 0, freight, pointsUsed: 0, pointsDeduction: 0, total: items + freight, savings: 0, couponIds: [], rejectedCoupons: [] };
}

const LOCAL_SLOT = { start: '2026-11-25T14:00:00+08:00', end: '2026-11-25T15:00:00+08:00' };
const LOCAL: QuoteDelivery = { mode: 'local', distance: 2500, fee: 800, slot: LOCAL_SLOT };
const PICKUP: QuoteDelivery = { mode: 'pickup', store: { id: 'xh', name: '徐汇店', address: '漕溪北路 1 号', phone: '021-64000000' }, slot: { start: '2026-11-26T10:00:00+08:00', end: '2026-11-26T12:00:00+08:00' } };

const address = { name: '张三', phone: '13800000000', province: '上海市', city: '上海市', district: '黄浦区', detail: '人民路 1 号' };

/** The command a test sends to a loaded fixture, and who sends it. */
export interface NextStep {
  command: Command;
  actor: Actor;
  /** Milliseconds after the scenario's last step at which it is sent. */
  afterMs?: number;
}

interface Play {
  service: OrderService;
  advance(ms: number): void;
  /** Sends a command that must succeed. */
  send(command: Command, actor: Actor): Promise<void>;
  place(lines: Line[], options?: { freight?: number; virtual?: boolean; remark?: string; metadata?: Record<string, unknown>; channel?: string; balance?: number; delivery?: QuoteDelivery }): Promise<void>;
}

interface Scenario {
  name: string;
  description: string;
  play(p: Play): Promise<NextStep>;
}

const pay = (amount: number, transactionId = 'tx-1', outTradeNo?: string): Command =>
  ({ type: 'PAYMENT_SUCCEEDED', amount, transactionId, ...(outTradeNo ? { outTradeNo } : {}) }) as Command;

/** Every order status, every resting after-sale status, refunds in each state, attempts, parcels, stray payments. */
export const SCENARIOS: Scenario[] = [
  {
    name: 'pending-payment-balance',
    description: 'version 4: 2 × ¥10.00, ¥8.00 from the balance (debited at placement), WeChat Pay asked for ¥12.00; the customer cancels next (the balance comes back)',
    async play(p) {
      await p.place([line('a', 2, 1000)], { balance: 800 });
      return { command: { type: 'CANCEL' } as Command, actor: customer };
    },
  },
  {
    name: 'paid-balance-and-wechat',
    description: 'version 4: 2 × ¥10.00 paid ¥8.00 from the balance and ¥12.00 by WeChat Pay; the merchant cancels next (¥12.00 to WeChat Pay, ¥8.00 to the balance)',
    async play(p) {
      await p.place([line('a', 2, 1000)], { balance: 800 });
      await p.send(pay(1200, 'tx-wx'), gateway);
      return { command: { type: 'CANCEL', reason: '缺货' } as Command, actor: merchant };
    },
  },
  {
    name: 'pending-payment',
    description: 'placed, not paid: one open attempt, pay-by deadline, buyer remark and metadata',
    async play(p) {
      await p.place([line('a', 2, 1000), line('b', 1, 500)], { freight: 600, remark: '请尽快发货', metadata: { channel: 'mini', storeId: 7 }, channel: 'mini_program' });
      return { command: pay(3100), actor: gateway };
    },
  },
  {
    name: 'pending-payment-price-adjusted',
    description: 'price adjusted before payment: first attempt closed, a second one open, an address change and a merchant note',
    async play(p) {
      await p.place([line('a', 2, 1000)]);
      await p.send({ type: 'ADJUST_PRICE', newTotal: 1800, reason: '老客优惠' } as Command, merchant);
      await p.send({ type: 'CHANGE_ADDRESS', address: { ...address, detail: '人民路 2 号' } } as Command, customer);
      await p.send({ type: 'ADD_REMARK', text: '已电话确认' } as Command, merchant);
      return { command: pay(1800, 'tx-2'), actor: gateway };
    },
  },
  {
    name: 'pending-payment-stray',
    description: 'the closed first attempt was paid after the price changed: a stray payment refunded in full, order still unpaid',
    async play(p) {
      await p.place([line('a', 2, 1000)]);
      const first = (await p.service.get('fx'))!.payment.attempts[0]!.outTradeNo;
      await p.send({ type: 'ADJUST_PRICE', newTotal: 1500, reason: '改价' } as Command, merchant);
      const r = await p.service.dispatch('fx', pay(2000, 'tx-stray', first), gateway);
      if (!r.ok || !r.strayPayment) throw new Error('expected a stray payment');
      return { command: pay(1500, 'tx-2'), actor: gateway };
    },
  },
  {
    name: 'paid',
    description: 'paid, nothing shipped',
    async play(p) {
      await p.place([line('a', 2, 1000), line('b', 1, 500)]);
      await p.send(pay(2500), gateway);
      return { command: { type: 'SHIP', logisticsType: 'express', trackingNo: 'SF1', expressCompany: 'SF' } as Command, actor: merchant };
    },
  },
  {
    name: 'paid-after-sale-refunding',
    description: 'paid; a 1-unit refund-only after-sale auto-approved, its refund pending',
    async play(p) {
      await p.place([line('a', 2, 1000)]);
      await p.send(pay(2000), gateway);
      await p.send({ type: 'REQUEST_AFTER_SALE', kind: 'refund_only', items: [{ lineId: 'a', quantity: 1 }], reason: '不想要了' } as Command, customer);
      const refundId = (await p.service.get('fx'))!.refunds[0]!.id;
      return { command: { type: 'REFUND_SUCCEEDED', refundId, amount: 1000 } as Command, actor: gateway };
    },
  },
  {
    name: 'paid-after-sale-refund-failed',
    description: 'paid; a 1-unit after-sale whose refund failed (waits for a retry)',
    async play(p) {
      await p.place([line('a', 2, 1000)]);
      await p.send(pay(2000), gateway);
      await p.send({ type: 'REQUEST_AFTER_SALE', kind: 'refund_only', items: [{ lineId: 'a', quantity: 1 }], reason: '不想要了' } as Command, customer);
      const order = (await p.service.get('fx'))!;
      await p.send({ type: 'REFUND_FAILED', refundId: order.refunds[0]!.id, reason: 'NOTENOUGH' } as Command, gateway);
      return { command: { type: 'APPROVE_AFTER_SALE', afterSaleId: order.afterSales[0]!.id } as Command, actor: merchant };
    },
  },
  {
    name: 'partially-shipped',
    description: 'two lines, one parcel sent',
    async play(p) {
      await p.place([line('a', 1, 1000), line('b', 2, 500)]);
      await p.send(pay(2000), gateway);
      await p.send({ type: 'SHIP', items: [{ lineId: 'a', quantity: 1 }], logisticsType: 'express', trackingNo: 'SF1', expressCompany: 'SF' } as Command, merchant);
      return { command: { type: 'SHIP', logisticsType: 'express', trackingNo: 'SF2', expressCompany: 'SF' } as Command, actor: merchant };
    },
  },
  {
    name: 'shipped',
    description: 'shipped in two parcels, auto-confirm scheduled',
    async play(p) {
      await p.place([line('a', 1, 1000), line('b', 2, 500)], { freight: 800 });
      await p.send(pay(2800), gateway);
      await p.send({ type: 'SHIP', items: [{ lineId: 'a', quantity: 1 }], logisticsType: 'express', trackingNo: 'SF1', expressCompany: 'SF' } as Command, merchant);
      await p.send({ type: 'SHIP', logisticsType: 'same_city' } as Command, merchant);
      return { command: { type: 'CONFIRM_RECEIPT' } as Command, actor: customer };
    },
  },
  {
    name: 'shipped-return-requested',
    description: 'shipped; a return-and-refund after-sale requested, waiting for review',
    async play(p) {
      await p.place([line('a', 2, 1000)]);
      await p.send(pay(2000), gateway);
      await p.send({ type: 'SHIP', logisticsType: 'express', trackingNo: 'SF1', expressCompany: 'SF' } as Command, merchant);
      await p.send({ type: 'REQUEST_AFTER_SALE', kind: 'return_and_refund', items: [{ lineId: 'a', quantity: 1 }], reason: '尺码不合适' } as Command, customer);
      const afterSaleId = (await p.service.get('fx'))!.afterSales[0]!.id;
      return { command: { type: 'APPROVE_AFTER_SALE', afterSaleId } as Command, actor: merchant };
    },
  },
  {
    name: 'shipped-return-awaiting',
    description: 'shipped; a return approved, the parcel back on its way (tracking number given)',
    async play(p) {
      await p.place([line('a', 2, 1000)]);
      await p.send(pay(2000), gateway);
      await p.send({ type: 'SHIP', logisticsType: 'express', trackingNo: 'SF1', expressCompany: 'SF' } as Command, merchant);
      await p.send({ type: 'REQUEST_AFTER_SALE', kind: 'return_and_refund', items: [{ lineId: 'a', quantity: 1 }], reason: '尺码不合适' } as Command, customer);
      const afterSaleId = (await p.service.get('fx'))!.afterSales[0]!.id;
      await p.send({ type: 'APPROVE_AFTER_SALE', afterSaleId } as Command, merchant);
      await p.send({ type: 'RETURN_SHIPPED', afterSaleId, trackingNo: 'YT9', expressCompany: 'YTO' } as Command, customer);
      return { command: { type: 'RETURN_RECEIVED', afterSaleId } as Command, actor: merchant };
    },
  },
  {
    name: 'delivered',
    description: 'delivered; one after-sale rejected, one withdrawn',
    async play(p) {
      await p.place([line('a', 2, 1000)]);
      await p.send(pay(2000), gateway);
      await p.send({ type: 'SHIP', logisticsType: 'express', trackingNo: 'SF1', expressCompany: 'SF' } as Command, merchant);
      await p.send({ type: 'DELIVER' } as Command, system);
      await p.send({ type: 'REQUEST_AFTER_SALE', kind: 'refund_only', items: [{ lineId: 'a', quantity: 1 }], reason: '有划痕' } as Command, customer);
      let order = (await p.service.get('fx'))!;
      await p.send({ type: 'REJECT_AFTER_SALE', afterSaleId: order.afterSales[0]!.id, reason: '照片不清楚' } as Command, merchant);
      await p.send({ type: 'REQUEST_AFTER_SALE', kind: 'return_and_refund', items: [{ lineId: 'a', quantity: 1 }], reason: '换一个' } as Command, customer);
      order = (await p.service.get('fx'))!;
      await p.send({ type: 'CANCEL_AFTER_SALE', afterSaleId: order.afterSales[1]!.id } as Command, customer);
      return { command: { type: 'CONFIRM_RECEIPT' } as Command, actor: customer };
    },
  },
  {
    name: 'completed',
    description: 'completed by the sweeper (auto-confirm)',
    async play(p) {
      await p.place([line('a', 1, 1000)]);
      await p.send(pay(1000), gateway);
      await p.send({ type: 'SHIP', logisticsType: 'express', trackingNo: 'SF1', expressCompany: 'SF' } as Command, merchant);
      p.advance(8 * DAY);
      await p.send({ type: 'AUTO_CONFIRM' } as Command, system);
      return { command: { type: 'REQUEST_AFTER_SALE', kind: 'refund_only', reason: '质量问题' } as Command, actor: customer };
    },
  },
  {
    name: 'completed-after-sale-refunded',
    description: 'completed; a returned unit refunded (the after-sale closed as refunded)',
    async play(p) {
      await p.place([line('a', 2, 1000)]);
      await p.send(pay(2000), gateway);
      await p.send({ type: 'SHIP', logisticsType: 'express', trackingNo: 'SF1', expressCompany: 'SF' } as Command, merchant);
      await p.send({ type: 'CONFIRM_RECEIPT' } as Command, customer);
      await p.send({ type: 'REQUEST_AFTER_SALE', kind: 'return_and_refund', items: [{ lineId: 'a', quantity: 1 }], reason: '坏了' } as Command, customer);
      const afterSaleId = (await p.service.get('fx'))!.afterSales[0]!.id;
      await p.send({ type: 'APPROVE_AFTER_SALE', afterSaleId } as Command, merchant);
      await p.send({ type: 'RETURN_SHIPPED', afterSaleId, trackingNo: 'YT9', expressCompany: 'YTO' } as Command, customer);
      await p.send({ type: 'RETURN_RECEIVED', afterSaleId } as Command, merchant);
      const refundId = (await p.service.get('fx'))!.refunds[0]!.id;
      await p.send({ type: 'REFUND_SUCCEEDED', refundId, amount: 1000, gatewayRefundId: 'gw-r1' } as Command, gateway);
      return { command: { type: 'REQUEST_AFTER_SALE', kind: 'refund_only', reason: '另一件也坏了' } as Command, actor: customer };
    },
  },
  {
    name: 'virtual-shipped',
    description: 'a virtual order: shipped at payment',
    async play(p) {
      await p.place([line('v', 1, 3000, 'virtual')], { virtual: true });
      await p.send(pay(3000), gateway);
      return { command: { type: 'CONFIRM_RECEIPT' } as Command, actor: customer };
    },
  },
  {
    name: 'closed-customer-cancelled',
    description: 'cancelled by the shopper before payment',
    async play(p) {
      await p.place([line('a', 1, 1000)]);
      await p.send({ type: 'CANCEL', reason: '拍错了' } as Command, customer);
      return { command: { type: 'ADD_REMARK', text: '买家取消' } as Command, actor: merchant };
    },
  },
  {
    name: 'closed-payment-timeout',
    description: 'expired unpaid, then paid late: the late payment is a stray payment refunded in full',
    async play(p) {
      await p.place([line('a', 1, 1000)]);
      p.advance(31 * MINUTE);
      await p.send({ type: 'EXPIRE' } as Command, system);
      p.advance(MINUTE);
      const r = await p.service.dispatch('fx', pay(1000, 'tx-late'), gateway);
      if (!r.ok) throw r.error;
      const refundId = r.order.payment.stray[0]!.refundId;
      return { command: { type: 'REFUND_SUCCEEDED', refundId, amount: 1000 } as Command, actor: gateway };
    },
  },
  {
    name: 'closed-merchant-cancelled',
    description: 'paid, cancelled by the merchant: a full refund pending',
    async play(p) {
      await p.place([line('a', 2, 1000)]);
      await p.send(pay(2000), gateway);
      await p.send({ type: 'CANCEL', reason: '缺货' } as Command, merchant);
      const refundId = (await p.service.get('fx'))!.refunds[0]!.id;
      return { command: { type: 'REFUND_SUCCEEDED', refundId, amount: 2000 } as Command, actor: gateway };
    },
  },
  {
    name: 'closed-merchant-cancel-refund-failed',
    description: 'cancelled by the merchant; the full refund failed and waits for RETRY_REFUND',
    async play(p) {
      await p.place([line('a', 2, 1000)]);
      await p.send(pay(2000), gateway);
      await p.send({ type: 'CANCEL', reason: '缺货' } as Command, merchant);
      const refundId = (await p.service.get('fx'))!.refunds[0]!.id;
      await p.send({ type: 'REFUND_FAILED', refundId, reason: 'SYSTEM_ERROR' } as Command, gateway);
      return { command: { type: 'RETRY_REFUND', refundId } as Command, actor: merchant };
    },
  },
  {
    name: 'closed-fully-refunded',
    description: 'the shopper cancelled after payment: the whole order refunded through an after-sale, closed as fully refunded',
    async play(p) {
      await p.place([line('a', 2, 1000)]);
      await p.send(pay(2000), gateway);
      await p.send({ type: 'CANCEL' } as Command, customer);
      const refundId = (await p.service.get('fx'))!.refunds[0]!.id;
      await p.send({ type: 'REFUND_SUCCEEDED', refundId, amount: 2000 } as Command, gateway);
      return { command: { type: 'ADD_REMARK', text: '已退款' } as Command, actor: merchant };
    },
  },
  {
    name: 'closed-out-of-stock',
    description: '付款减库存 and no stock at payment (version 3): closed out_of_stock by the shop, its full refund pending',
    async play(p) {
      await p.place([line('a', 2, 1000)]);
      await p.send(pay(2000), gateway);
      await p.send({ type: 'CANCEL', reason: 'out_of_stock' } as Command, merchant);
      const refundId = (await p.service.get('fx'))!.refunds[0]!.id;
      return { command: { type: 'REFUND_SUCCEEDED', refundId, amount: 2000 } as Command, actor: gateway };
    },
  },
  {
    name: 'closed-stuck-after-sale',
    description:
      'the money bug of docs/after-sales.md "Closing with after-sales open": 2 × ¥10.00, a 1-unit refund failed, then the merchant cancelled; ¥20.00 refund pending and the after-sale still refunding',
    async play(p) {
      await p.place([line('a', 2, 1000)]);
      await p.send(pay(2000), gateway);
      await p.send({ type: 'REQUEST_AFTER_SALE', kind: 'refund_only', items: [{ lineId: 'a', quantity: 1 }], reason: '不想要了' } as Command, customer);
      const first = (await p.service.get('fx'))!.refunds[0]!.id;
      await p.send({ type: 'REFUND_FAILED', refundId: first, reason: 'NOTENOUGH' } as Command, gateway);
      await p.send({ type: 'CANCEL', reason: '缺货' } as Command, merchant);
      const order = (await p.service.get('fx'))!;
      const full = order.refunds[order.refunds.length - 1]!;
      return { command: { type: 'REFUND_SUCCEEDED', refundId: full.id, amount: full.amount } as Command, actor: gateway };
    },
  },
  // Version 3 (issue 24): after-sale photos, and an order the shopper deleted from their list.
  {
    name: 'shipped-return-with-photos',
    description: 'shipped; a return-and-refund requested with three photos (cloud file ids), waiting for review',
    async play(p) {
      await p.place([line('a', 2, 1000)]);
      await p.send(pay(2000), gateway);
      await p.send({ type: 'SHIP', logisticsType: 'express', trackingNo: 'SF1', expressCompany: 'SF' } as Command, merchant);
      const photos = [1, 2, 3].map((n) => `cloud://env-1.656e/after-sale/fx/p${n}.jpg`);
      await p.send({ type: 'REQUEST_AFTER_SALE', kind: 'return_and_refund', items: [{ lineId: 'a', quantity: 1 }], reason: '外包装破损', photos } as Command, customer);
      const afterSaleId = (await p.service.get('fx'))!.afterSales[0]!.id;
      return { command: { type: 'APPROVE_AFTER_SALE', afterSaleId } as Command, actor: merchant };
    },
  },
  {
    name: 'completed-deleted-by-customer',
    description: 'completed, then deleted by the shopper from their list; the shop still works on it',
    async play(p) {
      await p.place([line('a', 1, 1000)]);
      await p.send(pay(1000), gateway);
      await p.send({ type: 'SHIP', logisticsType: 'express', trackingNo: 'SF1', expressCompany: 'SF' } as Command, merchant);
      await p.send({ type: 'CONFIRM_RECEIPT' } as Command, customer);
      await p.send({ type: 'DELETE_ORDER' } as unknown as Command, customer);
      return { command: { type: 'ADD_REMARK', text: '买家已删除' } as Command, actor: merchant };
    },
  },
  // Stored-order version 4: the delivery modes (docs/delivery.md).
  {
    name: 'local-paid',
    description: 'a local delivery (同城配送) by distance band, in a slot, paid: waiting for its rider',
    async play(p) {
      await p.place([line('a', 2, 1000)], { freight: 800, delivery: LOCAL });
      await p.send(pay(2800), gateway);
      return { command: { type: 'DISPATCH_RIDER', rider: { name: '李师傅', phone: '13900000000', company: '达达' } } as Command, actor: merchant };
    },
  },
  {
    name: 'local-shipped',
    description: 'a local delivery by zone, out with its rider: waiting for the delivery proof',
    async play(p) {
      await p.place([line('a', 1, 1000), line('b', 1, 500)], { freight: 600, delivery: { mode: 'local', zone: 'xuhui', fee: 600, slot: LOCAL_SLOT } });
      await p.send(pay(2100), gateway);
      await p.send({ type: 'DISPATCH_RIDER', rider: { name: '李师傅', phone: '13900000000', company: '达达', trackingNo: 'DD123' } } as Command, merchant);
      return { command: { type: 'RECORD_DELIVERY_PROOF', photoUrl: 'https://img.example/proof.jpg', receivedBy: '本人' } as Command, actor: system };
    },
  },
  {
    name: 'local-delivered',
    description: 'a local delivery delivered with its proof: waiting for the shopper to confirm',
    async play(p) {
      await p.place([line('a', 1, 1000)], { freight: 800, delivery: LOCAL });
      await p.send(pay(1800), gateway);
      await p.send({ type: 'DISPATCH_RIDER', rider: { name: '李师傅', phone: '13900000000' } } as Command, merchant);
      await p.send({ type: 'RECORD_DELIVERY_PROOF', photoUrl: 'https://img.example/proof.jpg', note: '放门卫' } as Command, system);
      return { command: { type: 'CONFIRM_RECEIPT' } as Command, actor: customer };
    },
  },
  {
    name: 'pickup-paid',
    description: 'a store pickup (到店自提) order with a slot, paid: waiting for the code at the counter',
    async play(p) {
      await p.place([line('a', 2, 1000)], { delivery: PICKUP });
      await p.send(pay(2000), gateway);
      return { command: { type: 'VERIFY_PICKUP_CODE', code: '482913' } as Command, actor: merchant };
    },
  },
  {
    name: 'pickup-completed',
    description: 'a pickup order handed over against its code: completed, its pickup parcel delivered',
    async play(p) {
      await p.place([line('a', 2, 1000)], { delivery: PICKUP });
      await p.send(pay(2000), gateway);
      await p.send({ type: 'VERIFY_PICKUP_CODE', code: '482913' } as Command, merchant);
      return { command: { type: 'REQUEST_AFTER_SALE', kind: 'return_and_refund', items: [{ lineId: 'a', quantity: 1 }], reason: '不合适' } as Command, actor: customer };
    },
  },
  // Stored-order version 5: 换货 and stock (docs/after-sales.md "Exchange", docs/inventory.md "Exchanges").
  {
    name: 'shipped-exchange-returned',
    description: 'shipped; one of two units exchanged for another SKU, the unit sent back and received: waiting for the replacement parcel (SHIP_EXCHANGE)',
    async play(p) {
      await p.place([line('a', 2, 1000)]);
      await p.send(pay(2000), gateway);
      await p.send({ type: 'SHIP', logisticsType: 'express', trackingNo: 'SF1', expressCompany: 'SF' } as Command, merchant);
      await p.send({ type: 'REQUEST_EXCHANGE', items: [{ lineId: 'a', quantity: 1, sku: 'SKU-a-M' }], reason: '尺码偏大' } as Command, customer);
      const afterSaleId = (await p.service.get('fx'))!.afterSales[0]!.id;
      await p.send({ type: 'APPROVE_AFTER_SALE', afterSaleId } as Command, merchant);
      await p.send({ type: 'RETURN_SHIPPED', afterSaleId, trackingNo: 'YT1', expressCompany: 'YTO' } as Command, customer);
      await p.send({ type: 'RETURN_RECEIVED', afterSaleId } as Command, merchant);
      return { command: { type: 'SHIP_EXCHANGE', afterSaleId, trackingNo: 'SF2', expressCompany: 'SF' } as Command, actor: merchant };
    },
  },
  {
    name: 'shipped-exchanged-return-requested',
    description: 'shipped; one of two units exchanged for another SKU and the replacement shipped, then both units asked back: the return records their SKUs (skus: one replacement, one original)',
    async play(p) {
      await p.place([line('a', 2, 1000)]);
      await p.send(pay(2000), gateway);
      await p.send({ type: 'SHIP', logisticsType: 'express', trackingNo: 'SF1', expressCompany: 'SF' } as Command, merchant);
      await p.send({ type: 'REQUEST_EXCHANGE', items: [{ lineId: 'a', quantity: 1, sku: 'SKU-a-M' }], reason: '尺码偏大' } as Command, customer);
      const exchangeId = (await p.service.get('fx'))!.afterSales[0]!.id;
      await p.send({ type: 'APPROVE_AFTER_SALE', afterSaleId: exchangeId } as Command, merchant);
      await p.send({ type: 'RETURN_SHIPPED', afterSaleId: exchangeId, trackingNo: 'YT1', expressCompany: 'YTO' } as Command, customer);
      await p.send({ type: 'RETURN_RECEIVED', afterSaleId: exchangeId } as Command, merchant);
      await p.send({ type: 'SHIP_EXCHANGE', afterSaleId: exchangeId, trackingNo: 'SF2', expressCompany: 'SF' } as Command, merchant);
      await p.send({ type: 'REQUEST_AFTER_SALE', kind: 'return_and_refund', items: [{ lineId: 'a', quantity: 2 }], reason: '不想要了' } as Command, customer);
      const afterSaleId = (await p.service.get('fx'))!.afterSales[1]!.id;
      return { command: { type: 'APPROVE_AFTER_SALE', afterSaleId } as Command, actor: merchant };
    },
  },
];

export interface StoredFixture {
  scenario: string;
  description: string;
  schemaVersion: number;
  /** When the scenario's last step ran (the clock of the next command is this + next.afterMs). */
  at: string;
  next: NextStep;
  memory: { doc: string; events: string[] };
  postgres: {
    order: { id: string; number: string; customer_id: string; status: string; version: number; created_at: string; updated_at: string; due_at: string | null; doc: string; doc_md5: string | null };
    events: Array<{ order_id: string; version: number; seq: number; at: string; type: string; doc: string }>;
  };
  wxCloud: { order: Record<string, unknown>; events: Array<Record<string, unknown>> };
}

async function playOn(store: OrderStore, scenario: Scenario): Promise<{ next: NextStep; at: string }> {
  let t = START;
  const balance = new MemoryBalance();
  await balance.topUp({ customerId: 'u1', key: 'card', amount: 100_000 });
  const service = createOrderService({ store, balance, clock: { now: () => new Date(t) }, ids: { orderId: () => 'fx', orderNumber: () => 'NFX000001' }, retryDelayMs: 0, lifecycle });
  const play: Play = {
    service,
    advance(ms) {
      t += ms;
    },
    async send(command, actor) {
      t += MINUTE;
      const r = await service.dispatch('fx', command, actor);
      if (!r.ok) throw new Error(`${scenario.name}: ${command.type} refused: ${r.error.code} ${r.error.message}`);
    },
    async place(lines, options = {}) {
      const r = await service.place({
        customerId: 'u1',
        quote: options.delivery === undefined ? quote(lines, options.freight ?? 0) : { ...quote(lines, options.freight ?? 0), delivery: options.delivery },
        ...(options.delivery?.mode === 'pickup' ? { pickupCode: '482913' } : {}),
        ...(options.virtual ? { fulfillment: 'virtual' as const } : { address }),
        ...(options.remark !== undefined ? { buyerRemark: options.remark } : {}),
        ...(options.metadata !== undefined ? { metadata: options.metadata } : {}),
        ...(options.channel !== undefined ? { channel: options.channel } : {}),
        ...(options.balance !== undefined ? { payWith: { balance: options.balance } } : {}),
      });
      if (!r.ok) throw new Error(`${scenario.name}: place refused: ${r.error.code} ${r.error.message}`);
    },
  };
  const next = await scenario.play(play);
  return { next, at: new Date(t).toISOString() };
}

const iso = (v: unknown): string | null => (v === null || v === undefined ? null : new Date(v as string).toISOString());

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const outIndex = args.indexOf('--out');
  const root = resolve(process.cwd());
  const dir = outIndex >= 0 ? resolve(args[outIndex + 1]!) : join(root, 'test', 'fixtures', 'orders', `v${ORDER_SCHEMA_VERSION}`);
  if (outIndex < 0 && existsSync(dir)) {
    console.error(`${dir} exists: fixtures of a schema version are frozen once committed (use --out to write elsewhere)`);
    process.exit(1);
  }
  mkdirSync(dir, { recursive: true });
  const lite = await PGlite.create();
  await migrate(lite);
  for (const scenario of SCENARIOS) {
    const memory = new MemoryOrderStore();
    const fromMemory = await playOn(memory, scenario);

    await lite.query('TRUNCATE orderkit.orders, orderkit.order_events, orderkit.outbox, orderkit.idempotency, orderkit.due_leases RESTART IDENTITY');
    await playOn(new PostgresOrderStore({ db: lite }), scenario);
    const row = (
      await lite.query<Record<string, unknown>>('SELECT id, number, customer_id, status, version, created_at, updated_at, due_at, doc::text AS doc, doc_md5 FROM orderkit.orders')
    ).rows[0]!;
    const events = (await lite.query<Record<string, unknown>>('SELECT order_id, version, seq, at, type, doc::text AS doc FROM orderkit.order_events ORDER BY version, seq')).rows;

    const cloud = createCloudDatabaseStandIn();
    const wx = new WxCloudOrderStore(cloud);
    await wx.ensureCollections();
    await playOn(wx, scenario);

    const memoryRow = memory.data.orders.get('fx')!;
    const fixture: StoredFixture = {
      scenario: scenario.name,
      description: scenario.description,
      schemaVersion: ORDER_SCHEMA_VERSION,
      at: fromMemory.at,
      next: fromMemory.next,
      memory: { doc: memoryRow.doc, events: memory.data.events.get('fx') ?? [] },
      postgres: {
        order: {
          id: String(row['id']),
          number: String(row['number']),
          customer_id: String(row['customer_id']),
          status: String(row['status']),
          version: Number(row['version']),
          created_at: iso(row['created_at'])!,
          updated_at: iso(row['updated_at'])!,
          due_at: iso(row['due_at']),
          doc: String(row['doc']),
          doc_md5: row['doc_md5'] === null ? null : String(row['doc_md5']),
        },
        events: events.map((e) => ({ order_id: String(e['order_id']), version: Number(e['version']), seq: Number(e['seq']), at: iso(e['at'])!, type: String(e['type']), doc: String(e['doc']) })),
      },
      wxCloud: {
        order: cloud.dump(wx.names.orders).find((d) => d._id === 'fx')!,
        events: cloud.dump(wx.names.events).filter((d) => d['orderId'] === 'fx'),
      },
    };
    writeFileSync(join(dir, `${scenario.name}.json`), `${JSON.stringify(fixture, null, 2)}\n`);
    console.log(`${scenario.name}: ${memoryRow.status} v${memoryRow.version}`);
  }
  await lite.close();
}

await main();
