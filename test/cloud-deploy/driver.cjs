// Runs the three prepared cloud functions (node driver.cjs <dir with order/, payCallback/,
// sweeper/>) as WeChat would call them: each through its own index.js `main`, with the
// wx-orderkit installed in its own node_modules and the wx-server-sdk stub whose database is the
// cloud database stand-in. A shopper places and pays, cloudPay calls back, the timer sweeps.
// Prints what happened as one JSON line. Written for Node 16 (the oldest cloud-function runtime).
const path = require('path');

const SHOPPER = 'oShopper000000000000000001';
const SUB_MCH_ID = '1900000109';

async function main() {
  const dir = process.argv[2];
  const fn = (name) => path.join(dir, name);
  Object.assign(process.env, { SUB_MCH_ID, TEMPLATE_ORDER_PAID: 'TPL-PAID', MERCHANT_OPENIDS: 'oStaff0000000000000000000001' });

  const resolved = {};
  for (const name of ['order', 'payCallback', 'sweeper']) {
    resolved[name] = path.relative(fn(name), require.resolve('wx-orderkit', { paths: [fn(name)] }));
  }
  const testing = require(require.resolve('wx-orderkit/testing', { paths: [fn('order')] }));
  const state = (globalThis.__wxServerSdkStub = { db: testing.createCloudDatabaseStandIn(), context: {}, inits: [], calls: { subscribeMessage: [], uploadShippingInfo: [], unifiedOrder: [], refund: [], closeOrder: [], queryOrder: [] } });

  const order = require(fn('order'));
  const payCallback = require(fn('payCallback'));
  const sweeper = require(fn('sweeper'));
  const as = (context) => {
    state.context = context;
  };

  as({ OPENID: SHOPPER, CLIENTIP: '10.0.0.8' });
  const placed = await order.main(
    {
      action: 'place',
      cart: [{ sku: 'OAT-1KG', quantity: 2 }, { sku: 'MILK-250', quantity: 1 }],
      address: { name: '张三', phone: '13812345678', province: '广东省', city: '深圳市', detail: '科技园 1 号' },
      idempotencyKey: 'visit-1',
    },
    {},
  );
  if (!placed.ok) throw new Error(`place failed: ${JSON.stringify(placed)}`);
  const again = await order.main({ action: 'place', cart: [{ sku: 'OAT-1KG', quantity: 2 }, { sku: 'MILK-250', quantity: 1 }], address: { name: '张三', phone: '13812345678', province: '广东省', city: '深圳市', detail: '科技园 1 号' }, idempotencyKey: 'visit-1' }, {});
  const pay = await order.main({ action: 'pay', orderId: placed.order.id }, {});
  if (!pay.ok) throw new Error(`pay failed: ${JSON.stringify(pay)}`);
  const params = state.calls.unifiedOrder[state.calls.unifiedOrder.length - 1];

  const callback = {
    returnCode: 'SUCCESS',
    resultCode: 'SUCCESS',
    subMchId: SUB_MCH_ID,
    subOpenid: SHOPPER,
    totalFee: params.totalFee,
    feeType: 'CNY',
    transactionId: ('4200' + params.outTradeNo).slice(0, 28),
    outTradeNo: params.outTradeNo,
    timeEnd: '20261125120500',
    attach: params.attach,
  };
  as({ SOURCE: 'wx_paycallback' });
  const answered = await payCallback.main(callback, {});
  const repeated = await payCallback.main(callback, {});
  as({ OPENID: 'oSomeoneElse0000000000000001' });
  const forged = await payCallback.main(callback, {});

  as({ OPENID: SHOPPER });
  const got = await order.main({ action: 'get', orderId: placed.order.id }, {});
  as({});
  const swept = await sweeper.main({ Type: 'Timer', TriggerName: 'everyMinute', Time: new Date().toISOString() }, {});
  const doc = await state.db.collection('orders').doc(placed.order.id).get();

  console.log(
    JSON.stringify({
      node: process.version,
      resolved,
      inits: state.inits.length,
      placed: { ok: placed.ok, status: placed.order.status, total: placed.order.pricing && placed.order.pricing.total },
      sameOrderAgain: again.ok && again.order.id === placed.order.id,
      payment: Boolean(pay.payment),
      totalFee: params.totalFee,
      callback: answered,
      repeated,
      forged: forged && forged.errcode !== 0,
      got: { ok: got.ok, status: got.order && got.order.status, actions: got.order && got.order.actions.map((a) => a.key) },
      swept: Boolean(swept),
      subscribeMessages: state.calls.subscribeMessage.map((m) => m.templateId),
      stored: { status: doc.data.status, version: doc.data.version },
    }),
  );
}

main().catch((error) => {
  console.error(error && error.stack ? error.stack : error);
  process.exit(1);
});
