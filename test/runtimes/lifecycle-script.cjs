// Run by runtimes.test.ts under real Node 16 and Node 18 binaries (the WeChat cloud-function
// runtimes): loads orderkit's CommonJS build exactly as a cloud function does, runs a lifecycle
// and the WeChat pieces, and prints one JSON line for the test to check.
'use strict';
const crypto = require('crypto');
const path = require('path');

const dist = path.join(__dirname, '..', '..', 'dist');
const orderkit = require(path.join(dist, 'index.cjs'));
const wechatpay = require(path.join(dist, 'wechatpay.cjs'));
const wxCloud = require(path.join(dist, 'wx-cloud.cjs'));

function must(r) {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r;
}

async function main() {
  const out = { node: process.version };
  const now = new Date('2026-11-25T04:00:00.000Z');
  const number = orderkit.createOrderNumber({ now, random: () => 0.25 });
  const priced = must(orderkit.priceCart({ lines: [{ id: 'L1', sku: 'OAT', title: '燕麦', listPrice: 3300, quantity: 3 }] }, {}, { now }));
  let r = must(orderkit.placeOrder({ id: number, number, customerId: 'o-user', quote: priced.quote }, { now }));
  out.placed = { status: r.order.status, total: r.order.pricing.total, payBy: r.order.deadlines.payBy, number };
  out.timeExpire = wechatpay.formatRfc3339(new Date(r.order.deadlines.payBy));

  const pay = { type: 'PAYMENT_SUCCEEDED', amount: 9900, transactionId: '4200000001', outTradeNo: number };
  r = must(orderkit.transition(r.order, pay, { now: new Date('2026-11-25T04:05:00Z'), actor: { type: 'payment', gateway: 'wechatpay' } }));
  const paidStatus = r.order.status;
  r = must(orderkit.transition(r.order, { type: 'SHIP', trackingNo: 'SF1', expressCompany: 'SF' }, { now: new Date('2026-11-26T02:00:00Z'), actor: { type: 'merchant', id: 'staff' } }));
  const shipped = r.order;
  r = must(orderkit.transition(r.order, { type: 'CONFIRM_RECEIPT' }, { now: new Date('2026-11-27T02:00:00Z'), actor: { type: 'customer', id: 'o-user' } }));
  out.lifecycle = [paidStatus, shipped.status, r.order.status];
  out.autoConfirmAt = shipped.deadlines.autoConfirmAt;
  out.version = r.order.version;
  out.effects = r.effects.map((e) => e.type);

  // Zoned deadlines: one day later in New York across the DST change is 23 hours.
  out.dstDay = orderkit.deadlineAfter(new Date('2026-03-07T17:00:00.000Z'), { days: 1 }, 'America/New_York');

  // orderkit's own zoned time (src/time/zoned.ts, over Intl.DateTimeFormat): DST in both
  // directions, a 30-minute DST, month ends, a half-hour zone, a fixed offset, Shanghai before 1991.
  out.zoned = {
    nyFirst: wechatpay.formatRfc3339(new Date('2026-11-01T05:30:00Z'), 'America/New_York'),
    nySecond: wechatpay.formatRfc3339(new Date('2026-11-01T06:30:00Z'), 'America/New_York'),
    shanghai1988: wechatpay.formatRfc3339(new Date('1988-07-01T00:00:00Z'), 'Asia/Shanghai'),
    london: orderkit.shopTime('2026-03-29T01:30:00.000Z', 'Europe/London'),
    monthEnd: orderkit.deadlineAfter(new Date('2026-01-31T04:00:00Z'), { months: 1 }, 'Asia/Shanghai'),
    lordHowe: orderkit.deadlineAfter(new Date('2026-04-04T14:00:00Z'), { days: 1 }, 'Australia/Lord_Howe'),
    kolkataNumber: orderkit.createOrderNumber({ now: new Date('2026-11-25T04:00:00Z'), random: () => 0.5, timeZone: 'Asia/Kolkata' }),
    fixed: wechatpay.formatRfc3339(new Date('2026-11-25T04:00:00Z'), '-05:30'),
    offset: orderkit.zoneOffsetAt(Date.parse('2026-07-01T00:00:00Z'), 'America/New_York'),
  };

  // paySign with the merchant key, checked independently with the public key.
  const merchant = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const params = must(wechatpay.buildRequestPaymentParams('wx2511', { appid: 'wxapp', privateKey: merchant.privateKey }, { nonce: 'N0NCE', timestamp: 1764043200 })).params;
  out.paySignVerifies = crypto.verify('RSA-SHA256', Buffer.from(`wxapp\n1764043200\nN0NCE\nprepay_id=wx2511\n`), merchant.publicKey, Buffer.from(params.paySign, 'base64'));

  // A v3 notification: signed, encrypted, verified and decrypted.
  const platform = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const key = '0123456789abcdef0123456789abcdef';
  const nonce = 'abcdefghijkl';
  const cipher = crypto.createCipheriv('aes-256-gcm', Buffer.from(key), Buffer.from(nonce));
  cipher.setAAD(Buffer.from('transaction'));
  const plain = JSON.stringify({ mchid: '1900000109', appid: 'wxapp', out_trade_no: number, transaction_id: '4200000001', trade_state: 'SUCCESS', success_time: '2026-11-25T12:05:00+08:00', amount: { total: 9900, currency: 'CNY' } });
  const ciphertext = Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]).toString('base64');
  const rawBody = JSON.stringify({ id: 'EV-1', event_type: 'TRANSACTION.SUCCESS', resource_type: 'encrypt-resource', resource: { algorithm: 'AEAD_AES_256_GCM', ciphertext, nonce, associated_data: 'transaction' } });
  const ts = String(Math.floor(Date.parse('2026-11-25T04:05:01Z') / 1000));
  const signature = crypto.sign('RSA-SHA256', Buffer.from(`${ts}\n${nonce}\n${rawBody}\n`), platform.privateKey).toString('base64');
  const headers = { 'wechatpay-timestamp': ts, 'wechatpay-nonce': nonce, 'wechatpay-signature': signature, 'wechatpay-serial': 'PUB_KEY_ID_1' };
  const keys = { PUB_KEY_ID_1: platform.publicKey.export({ type: 'spki', format: 'pem' }) };
  const n = wechatpay.handlePaymentNotification({ headers, rawBody, keys, apiV3Key: key, now: new Date('2026-11-25T04:05:01Z'), expect: { mchid: '1900000109', appid: 'wxapp' } });
  out.notification = n.ok ? n.command : n.error.code;

  // The cloud store on the database test double: create, commit, claim.
  const db = require(path.join(dist, 'testing.cjs')).createCloudDatabaseStandIn();
  const store = new wxCloud.WxCloudOrderStore(db);
  await store.ensureCollections();
  const placed = must(orderkit.placeOrder({ id: 'o2', number: 'N2', customerId: 'o-user', quote: priced.quote }, { now }));
  await store.create(placed.order, { events: placed.events, effects: placed.effects });
  const paid = must(orderkit.transition(placed.order, { type: 'PAYMENT_SUCCEEDED', amount: 9900, transactionId: 'T2' }, { now, actor: { type: 'payment', gateway: 'cloudpay' } }));
  await store.commit({ order: paid.order, expectedVersion: 1, events: paid.events, effects: paid.effects });
  const claimed = await store.claim(100, 1000, new Date('2026-11-26T00:00:00Z'));
  out.store = { status: (await store.load('o2')).status, history: (await store.history('o2')).length, claimed: claimed.length };
  process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch((e) => {
  process.stderr.write(String((e && e.stack) || e) + '\n');
  process.exit(1);
});
