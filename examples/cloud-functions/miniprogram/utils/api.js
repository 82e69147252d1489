// The one place the pages talk to the `order` cloud function. Every call resolves (never rejects)
// to `{ ok: true, ... }` or `{ ok: false, error: { code, message } }` with a Chinese message, so a
// page has a single branch to write and a network error looks like any other failure.

var NETWORK_ERROR = { code: 'NETWORK_ERROR', message: '网络开小差了，请稍后再试' };
var BAD_REPLY = { code: 'BAD_REPLY', message: '服务暂时不可用，请稍后再试' };
var TIMEOUT = { code: 'TIMEOUT', message: '请求超时，请重试' };
// A call that has not answered after this long is given up on (the page then offers 重试).
var DEFAULT_TIMEOUT_MS = 15000;

// Error codes meaning "the order is no longer where you saw it": someone else (the payment
// callback, the sweeper, the shop) changed it. The page shows the message and reloads the view.
var STALE_CODES = ['INVALID_TRANSITION', 'VERSION_CONFLICT', 'ORDER_CHANGED', 'WINDOW_CLOSED', 'PAYMENT_DEADLINE_PASSED', 'NOTHING_TO_PAY'];

function errorOf(raw) {
  if (!raw || typeof raw !== 'object') return BAD_REPLY;
  var messages = raw.messages || {};
  var message = messages['zh-CN'] || raw.message || BAD_REPLY.message;
  return { code: raw.code || BAD_REPLY.code, message: message, details: raw.details };
}

function callOrder(action, data, options) {
  var payload = Object.assign({ action: action }, data || {});
  var timeoutMs = (options && options.timeoutMs) || DEFAULT_TIMEOUT_MS;
  return new Promise(function (resolve) {
    var done = false;
    function finish(r) {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(r);
    }
    var timer = setTimeout(function () {
      finish({ ok: false, error: TIMEOUT });
    }, timeoutMs);
    wx.cloud
      .callFunction({ name: 'order', data: payload })
      .then(function (res) {
        var r = res && res.result;
        if (!r || typeof r !== 'object') return finish({ ok: false, error: BAD_REPLY });
        if (r.ok === false) return finish({ ok: false, error: errorOf(r.error) });
        finish(r);
      })
      .catch(function () {
        finish({ ok: false, error: NETWORK_ERROR });
      });
  });
}

// Failures worth a 重试 button: the call did not get through, not a refusal of the order itself.
function isRetriable(error) {
  return !!error && ['NETWORK_ERROR', 'TIMEOUT', 'BAD_REPLY', 'INTERNAL_ERROR', 'TRACKING_UNAVAILABLE'].indexOf(error.code) >= 0;
}

function isStale(error) {
  return !!error && STALE_CODES.indexOf(error.code) >= 0;
}

function toast(message, icon) {
  wx.showToast({ title: message, icon: icon || 'none', duration: 2500 });
}

module.exports = {
  callOrder: callOrder,
  isStale: isStale,
  isRetriable: isRetriable,
  TIMEOUT: TIMEOUT,
  toast: toast,
  NETWORK_ERROR: NETWORK_ERROR
};
