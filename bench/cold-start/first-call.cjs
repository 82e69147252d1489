// What a WeChat cloud function does on its first call, as one process: require the root entry,
// wx-orderkit/wechatpay and wx-orderkit/wx-cloud (CommonJS, as cloud functions load them), price a
// cart and place the order through the service on the cloud-database stand-in, verify and decrypt
// a signed WeChat Pay v3 notification, and dispatch it. Run by bench/cold-start.bench.ts under each
// Node runtime: `node first-call.cjs <dist dir> <fixture.json> [bundle.cjs]`; it prints one line the
// bench checks. With a third argument it loads everything from that one file instead (a function
// deployed bundled: bench/cold-start/bundle.mjs makes it); its load is then the `require root` phase.
// On stderr it also writes the CPU time (process.cpuUsage(), µs) each phase took, one
// `cold-start-phases {...}` line, for the bench's "where the time goes" table.
'use strict';
const cpu = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};
const phases = {};
let last = cpu();
/** Charges the CPU time since the previous mark to `name`. */
function mark(name) {
  const now = cpu();
  phases[name] = now - last;
  last = now;
}
const path = require('path');
const fs = require('fs');

const dist = path.resolve(process.argv[2]);
const fixture = JSON.parse(fs.readFileSync(process.argv[3], 'utf8'));

const bundlePath = process.argv[4];

mark('script');
const bundled = bundlePath ? require(path.resolve(bundlePath)) : undefined;
const orderkit = bundled ? bundled.orderkit : require(path.join(dist, 'index.cjs'));
mark('require root');
const wechatpay = bundled ? bundled.wechatpay : require(path.join(dist, 'wechatpay.cjs'));
mark('require wechatpay');
const wxCloud = bundled ? bundled.wxCloud : require(path.join(dist, 'wx-cloud.cjs'));
mark('require wx-cloud');
// The cloud database's test double (wx-orderkit/testing) stands in for wx-server-sdk's database,
// which a deployed function gets from the SDK: it is not part of what a function loads.
const { createCloudDatabaseStandIn } = bundled ? bundled.testing : require(path.join(dist, 'testing.cjs'));

async function main() {
  const now = new Date(fixture.now);
  const store = new wxCloud.WxCloudOrderStore(createCloudDatabaseStandIn());
  await store.ensureCollections(); // done once per environment at deploy time; cheap on the stand-in
  mark('stand-in and store');
  const service = orderkit.createOrderService({
    store,
    clock: { now: () => now },
    ids: { orderId: () => fixture.orderNumber, orderNumber: () => fixture.orderNumber },
  });
  const priced = orderkit.priceCart({ lines: [{ id: 'L1', sku: 'OAT', title: '燕麦', listPrice: 3300, quantity: 3 }] }, {}, { now });
  if (!priced.ok) throw new Error(priced.error.code);
  mark('priceCart');
  const placed = await service.place({ customerId: 'o-user', quote: priced.quote });
  if (!placed.ok) throw new Error(placed.error.code);
  mark('place');

  const n = wechatpay.handlePaymentNotification({
    headers: fixture.headers,
    rawBody: fixture.rawBody,
    keys: fixture.keys,
    apiV3Key: fixture.apiV3Key,
    now: new Date(fixture.notifiedAt),
    expect: { mchid: fixture.mchid, appid: fixture.appid },
  });
  if (!n.ok) throw new Error(n.error.code);
  mark('verify notification');
  const paid = await wechatpay.applyPaymentNotice(service, n, { gateway: 'wechatpay' });
  if (!paid.ok) throw new Error(paid.error.code);
  const reply = wechatpay.notificationResponse(paid);
  mark('dispatch');
  process.stderr.write(`\ncold-start-phases ${JSON.stringify(phases)}\n`);
  process.stdout.write(`${paid.order.status} ${paid.order.pricing.total} ${reply.status}\n`);
}

main().catch((e) => {
  process.stderr.write(String((e && e.stack) || e) + '\n');
  process.exit(1);
});
