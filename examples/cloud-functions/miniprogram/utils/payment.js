// Paying an order from a page: ask for subscribe messages, get the payment parameters from the
// `order` function (v3 JSAPI params or the `payment` object of cloud.cloudPay — the same five
// fields), and open the WeChat Pay sheet. Whatever happens, the promise resolves to
// `{ ok: true }` or `{ ok: false, error: { code, message } }`; the order itself only changes when
// the verified payment notification reaches the `payCallback` function.

var api = require('./api.js');
var config = require('../config.js');

var NOTHING_TO_PAY = { code: 'NOTHING_TO_PAY', message: '订单状态已变化，无需支付' };

// A tap is the only moment a mini program may ask for subscriptions, so this must be the first
// thing a pay button's handler does. A refusal, a "don't ask again" or an old base library must
// never stop the payment: the promise always resolves.
function askSubscriptions() {
  var ids = (config.subscribeTemplateIds || []).filter(function (id) {
    return typeof id === 'string' && id.length > 0;
  });
  if (ids.length === 0 || typeof wx.requestSubscribeMessage !== 'function') {
    return Promise.resolve({ asked: false, accepted: [] });
  }
  return new Promise(function (resolve) {
    wx.requestSubscribeMessage({
      tmplIds: ids,
      success: function (res) {
        resolve({
          asked: true,
          accepted: ids.filter(function (id) {
            return res && res[id] === 'accept';
          })
        });
      },
      fail: function () {
        resolve({ asked: true, accepted: [] });
      }
    });
  });
}

function paymentError(err) {
  var msg = (err && err.errMsg) || '';
  if (msg.indexOf('cancel') >= 0) return { code: 'PAYMENT_CANCELLED', message: '已取消支付，订单仍可在有效期内支付' };
  return { code: 'PAYMENT_FAILED', message: '支付未完成，请稍后在订单详情中重试' };
}

function requestPayment(payment) {
  return new Promise(function (resolve) {
    wx.requestPayment(
      Object.assign({}, payment, {
        success: function () {
          resolve({ ok: true });
        },
        fail: function (err) {
          resolve({ ok: false, error: paymentError(err) });
        }
      })
    );
  });
}

// Pays one placed order. `subscriptions` is the promise from askSubscriptions() started in the tap.
function payOrder(orderId, subscriptions) {
  return Promise.resolve(subscriptions)
    .then(function () {
      return api.callOrder('pay', { orderId: orderId });
    })
    .then(function (r) {
      if (!r.ok) return r;
      // No payment to make: the order was paid, cancelled or closed meanwhile (the function answers
      // with the order as it is now). Not a success to celebrate: the page reloads and shows it.
      if (!r.payment) return { ok: false, error: NOTHING_TO_PAY, order: r.order };
      return requestPayment(r.payment);
    });
}

module.exports = {
  askSubscriptions: askSubscriptions,
  payOrder: payOrder,
  requestPayment: requestPayment
};
