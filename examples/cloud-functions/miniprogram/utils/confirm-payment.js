// After wx.requestPayment succeeds the order is only paid once WeChat Pay's notification reaches
// the payCallback function, a moment later. Until then the page shows 支付确认中 and asks the
// `order` function (never the database directly: its security rule may refuse the page) with a
// growing pause between reads, until the order has left 待付款 or the attempts run out.

var api = require('./api.js');

// Pauses before each read, in ms: about 30 s in all.
var DELAYS = [1000, 1000, 2000, 3000, 5000, 8000, 10000];

// onView(view) is called with every fresh view. `stillWaiting()` false stops early (the page got
// the answer from its watcher, or was closed). Resolves to { paid, order }.
function awaitPaid(orderId, onView, stillWaiting, delays) {
  var pauses = delays || DELAYS;
  var i = 0;
  var last = null;
  function next() {
    if (!stillWaiting()) return Promise.resolve({ paid: !!last && last.status !== 'pending_payment', order: last });
    if (i >= pauses.length) return Promise.resolve({ paid: false, order: last });
    var pause = pauses[i++];
    return new Promise(function (resolve) {
      setTimeout(resolve, pause);
    })
      .then(function () {
        if (!stillWaiting()) return null;
        return api.callOrder('get', { orderId: orderId });
      })
      .then(function (r) {
        if (r && r.ok) {
          last = r.order;
          onView(r.order);
          if (r.order.status !== 'pending_payment') return { paid: true, order: r.order };
        }
        return next();
      });
  }
  return next();
}

module.exports = { awaitPaid: awaitPaid, DELAYS: DELAYS };
