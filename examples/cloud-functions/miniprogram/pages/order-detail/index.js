// 订单详情. Everything shown comes from the `order` function's view of the order (labels, amounts,
// deadlines, buttons); the page adds live things: a countdown to the running deadline, a watcher
// on the order document so that a payment confirmed by the callback, a shipment or a refund shows
// up without a refresh, and after a payment the 支付确认中 state, which asks the function again
// with a growing pause until the order is paid (so a refused or failed watch never leaves the
// shopper looking at 待付款). On every change it asks the function for the view again instead of
// reading the raw document, so no orderkit rule is repeated here.
var api = require('../../utils/api.js');
var actions = require('../../utils/actions.js');
var countdown = require('../../utils/countdown.js');
var confirmPayment = require('../../utils/confirm-payment.js');
var nav = require('../../utils/nav.js');

Page({
  data: {
    orderId: '',
    order: null,
    loading: true,
    error: '',
    // The load failed for a reason a retry may fix (network, timeout): the page shows 重试.
    retriable: false,
    countdownText: '',
    busy: false,
    live: false,
    // 支付确认中: paid in WeChat, waiting for the server to hear of it.
    confirming: false,
    // The reads ran out before the server confirmed: say so and offer 刷新.
    confirmSlow: false,
    // 物流轨迹 of the latest parcel, loaded on demand.
    trace: null,
    traceLoading: false,
    traceError: ''
  },

  onLoad: function (query) {
    this.setData({ orderId: (query && query.id) || '' });
    if (!this.data.orderId) {
      this.setData({ loading: false, error: '缺少订单号' });
      return Promise.resolve();
    }
    var self = this;
    var wantsTrace = !!(query && query.trace);
    // Opened by the checkout right after a payment: confirm it before showing 待付款 again.
    var paying = !!(query && query.paying);
    if (paying) this.setData({ confirming: true });
    return this.refresh().then(function () {
      self._loaded = true;
      self.startWatching();
      if (paying) self.confirmPaid();
      if (wantsTrace && self.data.order) return self.loadTrace();
    });
  },

  // Back from the after-sale page, a payment sheet, or the app coming to the foreground: the
  // order may have moved on. The first onShow follows onLoad and needs no second read.
  onShow: function () {
    if (!this._loaded) return Promise.resolve();
    return this.refresh();
  },

  onHide: function () {
    this.stopCountdown();
  },

  onUnload: function () {
    this._unloaded = true;
    this.stopCountdown();
    this.stopWatching();
  },

  onPullDownRefresh: function () {
    return this.refresh().then(function () {
      wx.stopPullDownRefresh();
    });
  },

  onRetry: function () {
    this.setData({ loading: !this.data.order, error: '', retriable: false, confirmSlow: false });
    var self = this;
    return this.refresh().then(function () {
      if (!self._loaded && self.data.order) {
        self._loaded = true;
        self.startWatching();
      }
    });
  },

  // Fetches the view. Answers that arrive out of order never replace a newer version.
  refresh: function () {
    var self = this;
    return api.callOrder('get', { orderId: this.data.orderId }).then(function (r) {
      if (!r.ok) {
        var deleted = r.error.code === 'ORDER_DELETED' || r.error.code === 'ORDER_NOT_FOUND';
        self.setData({ loading: false, error: r.error.message, retriable: api.isRetriable(r.error) });
        if (deleted) {
          self.setData({ order: null });
          self.stopCountdown();
          return;
        }
        if (self.data.order) api.toast(r.error.message);
        return;
      }
      self.show(r.order);
    });
  },

  show: function (view) {
    var current = this.data.order;
    if (current && view.version < current.version) return;
    var patch = { order: view, loading: false, error: '', retriable: false };
    // The server has the payment now (or the order moved on some other way): 支付确认中 is over.
    if (this.data.confirming && view.status !== 'pending_payment') {
      patch.confirming = false;
      patch.confirmSlow = false;
    }
    this.setData(patch);
    if (this.data.confirming) this.stopCountdown();
    else this.startCountdown(view.countdown);
  },

  // After wx.requestPayment succeeded: 支付确认中 and reads with backoff until paid.
  confirmPaid: function () {
    var self = this;
    this.setData({ confirming: true, confirmSlow: false });
    this.stopCountdown();
    return confirmPayment
      .awaitPaid(
        this.data.orderId,
        function (view) {
          self.show(view);
        },
        function () {
          return !self._unloaded && self.data.confirming;
        }
      )
      .then(function (r) {
        if (self._unloaded || !self.data.confirming) return;
        if (!r.paid) self.setData({ confirmSlow: true });
      });
  },

  startCountdown: function (cd) {
    var self = this;
    this.stopCountdown();
    if (!cd) {
      this.setData({ countdownText: '' });
      return;
    }
    // Already over (the sweeper has not run yet): show zero and do not tick, or the page would
    // ask the function again and again.
    if (cd.remainingMs <= 0) {
      this.setData({ countdownText: countdown.formatRemaining(0) });
      return;
    }
    this._stopCountdown = countdown.startCountdown(
      cd.remainingMs,
      function (text) {
        self.setData({ countdownText: text });
      },
      function () {
        // The deadline passed: the function decides what that means (no more 去支付, or 已完成).
        self._stopCountdown = null;
        self.refresh();
      }
    );
  },

  stopCountdown: function () {
    if (this._stopCountdown) this._stopCountdown();
    this._stopCountdown = null;
  },

  // Live updates: the cloud database pushes the document on every commit. The `orders` rule
  // `doc.customerId == auth.openid` accepts only a query that names the owner, so the page
  // watches `where({ _id, customerId: '{openid}' })` (the server fills in the caller's openid);
  // `doc(id).watch()` would be refused (see README, 「数据库权限」). Watching is a convenience:
  // when it fails or is refused, onShow, pull-down and the reads after a payment still work.
  startWatching: function () {
    var self = this;
    if (!wx.cloud || typeof wx.cloud.database !== 'function') return;
    try {
      this._watcher = wx.cloud
        .database()
        .collection('orders')
        .where({ _id: this.data.orderId, customerId: '{openid}' })
        .watch({
          onChange: function (snapshot) {
            var docs = (snapshot && snapshot.docs) || [];
            var doc = docs[0];
            var shown = self.data.order;
            self.setData({ live: true });
            if (!doc || !shown) return;
            if (typeof doc.version === 'number' && doc.version === shown.version) return;
            self.refresh();
          },
          onError: function () {
            self.setData({ live: false });
            self._watcher = null;
          }
        });
    } catch (e) {
      this._watcher = null;
    }
  },

  stopWatching: function () {
    if (this._watcher && typeof this._watcher.close === 'function') this._watcher.close();
    this._watcher = null;
  },

  onAction: function (e) {
    var self = this;
    if (this.data.busy || !this.data.order) return;
    var ds = e.currentTarget.dataset;
    // 查看物流 on this page: the trace in place.
    if (ds.key === 'viewLogistics') return this.loadTrace();
    this.setData({ busy: true });
    return actions
      .run(ds.key, { orderId: this.data.orderId, afterSaleId: ds.afterSaleId || '', command: ds.command || '', label: ds.label || '', order: this.data.order })
      .then(function (outcome) {
        self.setData({ busy: false });
        if (outcome.deleted) {
          nav.back('/pages/orders/index');
          return;
        }
        if (outcome.paid) return self.confirmPaid();
        if (outcome.order && outcome.order.version >= self.data.order.version) {
          self.show(outcome.order);
          return;
        }
        if (outcome.changed || outcome.stale) return self.refresh();
      });
  },

  loadTrace: function () {
    var self = this;
    var shipments = (this.data.order && this.data.order.shipments) || [];
    var last = shipments[shipments.length - 1];
    if (!last) return Promise.resolve();
    this.setData({ traceLoading: true, traceError: '' });
    return api.callOrder('trace', { orderId: this.data.orderId, shipmentId: last.id }).then(function (r) {
      if (!r.ok) {
        self.setData({ traceLoading: false, trace: null, traceError: r.error.message });
        return;
      }
      self.setData({ traceLoading: false, trace: r.trace, traceError: '' });
    });
  },

  onCopyTracking: function (e) {
    var no = e.currentTarget.dataset.no;
    if (no) wx.setClipboardData({ data: no });
  },

  onPreviewPhoto: function (e) {
    var ds = e.currentTarget.dataset;
    wx.previewImage({ urls: ds.urls || [], current: ds.url });
  },

  onCopyNumber: function () {
    if (this.data.order) wx.setClipboardData({ data: this.data.order.number });
  }
});
