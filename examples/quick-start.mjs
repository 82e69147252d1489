import { MemoryOrderStore, createOrderService, formatFen } from 'wx-orderkit';

// A shop's rules are data: 满 99 减 10, free shipping over ¥99, ¥8 otherwise.
const rules = {
  fullReductions: [{ id: 'mj99', kind: 'threshold', threshold: 9900, off: 1000 }],
  freight: { defaultFee: 800, freeOver: 9900 },
};

const service = createOrderService({ store: new MemoryOrderStore() });
const shopper = { type: 'customer', id: 'openid-alice' };

// 下单: the cart is priced, every discount is split over the lines and stored on them.
const placed = await service.place({
  customerId: shopper.id,
  cart: { lines: [{ id: 'l1', sku: 'TEA-LJ', title: '明前龙井', listPrice: 6800, quantity: 2 }] },
  rules,
});
if (!placed.ok) throw placed.error;
const { id, pricing } = placed.order;
console.log(placed.order.status, formatFen(pricing.total)); // pending_payment ¥126.00

// 支付: a verified gateway notification. A wrong amount does not pay the order: the money is
// recorded as a stray payment and a full refund is queued, and the status stays put.
const payment = { type: 'payment', gateway: 'wechatpay' };
const wrong = await service.dispatch(id, { type: 'PAYMENT_SUCCEEDED', amount: 1, transactionId: 'wx-1' }, payment);
console.log(wrong.ok && wrong.strayPayment?.code, wrong.ok && wrong.order.status); // AMOUNT_MISMATCH pending_payment

const paid = await service.dispatch(id, { type: 'PAYMENT_SUCCEEDED', amount: pricing.total, transactionId: 'wx-2' }, payment);
console.log(paid.ok && paid.order.status); // paid (待发货)

// 发货 → 确认收货
await service.dispatch(id, { type: 'SHIP', trackingNo: 'SF123', expressCompany: 'SF' }, { type: 'merchant', id: 'staff-1' });
const done = await service.dispatch(id, { type: 'CONFIRM_RECEIPT' }, shopper);
console.log(done.ok && done.order.status); // completed

// Someone else's order: a typed error, never an exception.
const forbidden = await service.dispatch(id, { type: 'CONFIRM_RECEIPT' }, { type: 'customer', id: 'openid-mallory' });
console.log(forbidden.ok ? 'allowed?!' : `${forbidden.error.code}: ${forbidden.error.messages['zh-CN']}`);
