// What each button of an order does. The buttons themselves come from the `order` function (the
// allowed actions of orderkit's lifecycle); this file only knows how to carry one out: ask the
// shopper to confirm, call the function, pay, or open a page. Every run resolves to
// `{ changed, stale, order?, error? }`: `changed` when the order was changed, `stale` when the
// function said the order had moved on (the page then reloads its view and shows the message).

var api = require('./api.js');
var payment = require('./payment.js');
var nav = require('./nav.js');

function confirmModal(title, content) {
  return new Promise(function (resolve) {
    wx.showModal({
      title: title,
      content: content,
      success: function (res) {
        resolve(!!(res && res.confirm));
      },
      fail: function () {
        resolve(false);
      }
    });
  });
}

function settle(r, successMessage) {
  if (r.ok) {
    api.toast(successMessage, 'success');
    return { changed: true, stale: false, order: r.order };
  }
  api.toast(r.error.message);
  return { changed: false, stale: api.isStale(r.error), error: r.error };
}

function unchanged() {
  return { changed: false, stale: false };
}

function command(action, data, successMessage) {
  return api.callOrder(action, data).then(function (r) {
    return settle(r, successMessage);
  });
}

function confirmThen(title, content, action, data, successMessage) {
  return confirmModal(title, content).then(function (yes) {
    return yes ? command(action, data, successMessage) : unchanged();
  });
}

// WeChat's address picker speaks its own field names; orderkit's Address has these.
function addressFromWx(res) {
  var a = {
    name: res.userName,
    phone: res.telNumber,
    province: res.provinceName,
    city: res.cityName,
    detail: res.detailInfo
  };
  if (res.countyName) a.district = res.countyName;
  if (res.postalCode) a.postalCode = res.postalCode;
  return a;
}

function chooseAddress() {
  return new Promise(function (resolve) {
    wx.chooseAddress({
      success: function (res) {
        resolve(addressFromWx(res));
      },
      fail: function () {
        resolve(null);
      }
    });
  });
}

// 查看物流 from the list: the detail page shows the parcel's trace (the detail page itself loads
// the trace in place, see pages/order-detail).
function showLogistics(ctx) {
  nav.open('/pages/order-detail/index?id=' + ctx.orderId + '&trace=1');
  return Promise.resolve(unchanged());
}

// A paid order's cancel is a refund of what was paid: say so, with the amount, before and after.
// `order` is the detail view or the list card (both carry status; `paid` or `total`).
function paidAmountText(order) {
  if (!order || order.status === 'pending_payment') return '';
  var m = (order.paid && order.paid.fen > 0 && order.paid) || order.total;
  return m && m.fen > 0 ? m.text : '';
}

function cancelOrder(ctx) {
  var amount = paidAmountText(ctx.order);
  if (!amount) return confirmThen('取消订单', '确定要取消这个订单吗？', 'cancel', { orderId: ctx.orderId }, '订单已取消');
  return confirmModal('取消订单并退款', '取消后将退款 ' + amount + ' 到原支付账户，商家确认后到账。确定取消吗？').then(function (yes) {
    if (!yes) return unchanged();
    return api.callOrder('cancel', { orderId: ctx.orderId }).then(function (r) {
      if (!r.ok) return settle(r, '');
      wx.showModal({ title: '已申请退款', content: '退款 ' + amount + ' 将原路退回，可在订单详情查看进度', showCancel: false });
      return { changed: true, stale: false, order: r.order };
    });
  });
}

// 删除订单: hidden from the shopper's list for good (the shop keeps it).
function deleteOrder(ctx) {
  return confirmModal('删除订单', '删除后订单将不再显示在列表中，且无法恢复').then(function (yes) {
    if (!yes) return unchanged();
    return api.callOrder('deleteOrder', { orderId: ctx.orderId }).then(function (r) {
      if (!r.ok) return settle(r, '');
      api.toast('订单已删除', 'success');
      return { changed: true, stale: false, deleted: true };
    });
  });
}

// A button this file has no handler for, when it leads to a command (the shop's own commands,
// from its lifecycle): ask the shopper with the button's label, then send the command through the
// function's `command` action. No page needs a change for a new command of the lifecycle.
function sendCommand(ctx) {
  var data = { orderId: ctx.orderId, command: { type: ctx.command } };
  if (ctx.afterSaleId) data.command.afterSaleId = ctx.afterSaleId;
  // A success toast shows at most 7 characters.
  var done = ctx.label + '成功';
  return confirmThen(ctx.label, '确定要' + ctx.label + '吗？', 'command', data, done.length <= 7 ? done : '操作成功');
}

// ctx: { orderId, afterSaleId?, command?, label?, order? (the detail view, when there is one) }
function run(key, ctx) {
  switch (key) {
    case 'pay': {
      // First statement of the tap: the only moment subscriptions may be requested.
      var subscriptions = payment.askSubscriptions();
      return payment.payOrder(ctx.orderId, subscriptions).then(function (r) {
        if (r.ok) {
          // A success toast shows 7 characters; the page itself says 支付确认中 until the
          // payment notification has reached the server.
          api.toast('支付成功', 'success');
          return { changed: true, stale: false, paid: true };
        }
        api.toast(r.error.message);
        return { changed: false, stale: api.isStale(r.error), error: r.error };
      });
    }
    case 'cancel':
      return cancelOrder(ctx);
    case 'deleteOrder':
      return deleteOrder(ctx);
    case 'confirmReceipt':
      return confirmThen('确认收货', '请确认已收到全部商品', 'confirmReceipt', { orderId: ctx.orderId }, '已确认收货');
    case 'cancelAfterSale':
      return confirmThen('撤销申请', '撤销后可在售后期内再次申请', 'cancelAfterSale', { orderId: ctx.orderId, afterSaleId: ctx.afterSaleId }, '已撤销');
    case 'changeAddress':
      return chooseAddress().then(function (address) {
        if (!address) return unchanged();
        return command('changeAddress', { orderId: ctx.orderId, address: address }, '地址已修改');
      });
    case 'requestAfterSale':
      nav.open('/pages/after-sale/index?id=' + ctx.orderId);
      return Promise.resolve(unchanged());
    case 'returnShipped':
      nav.open('/pages/after-sale/index?id=' + ctx.orderId + '&afterSaleId=' + ctx.afterSaleId);
      return Promise.resolve(unchanged());
    // 协商退款: the shop offered an amount on this after-sale (the detail shows it); the shopper answers.
    case 'acceptRefundProposal':
      return confirmThen('接受协商', '同意按商家提出的金额退款吗？', 'acceptRefundProposal', { orderId: ctx.orderId, afterSaleId: ctx.afterSaleId }, '已接受');
    case 'declineRefundProposal':
      return confirmThen('不接受协商', '拒绝后商家可重新处理这次申请', 'declineRefundProposal', { orderId: ctx.orderId, afterSaleId: ctx.afterSaleId }, '已拒绝');
    case 'viewLogistics':
      return showLogistics(ctx);
    default:
      if (ctx.command) return sendCommand(ctx);
      api.toast('当前版本暂不支持该操作');
      return Promise.resolve(unchanged());
  }
}

module.exports = {
  run: run,
  addressFromWx: addressFromWx,
  chooseAddress: chooseAddress
};
