// 订单详情. Everything shown comes from the `order` function's view of the order (labels, amounts,
// deadlines, buttons); the page adds two live things: a countdown to the running deadline, and a
// watcher on the order document so that a payment confirmed by the callback, a shipment or a
// refund shows up without a refresh. On every change it asks the function for the view again
// instead of reading the raw document, so no orderkit rule is repeated here.
var api = require('../../utils/api.js');
var actions = require('../../utils/actions.js');
var countdown = require('../../utils/countdown.js');

Page({
  data: {
    orderId: '',
    order: null,
    loading: true,
    error: '',
    countdownText: '',
    busy: false,
    live: false
  },

  onLoad: function (query) {
    this.setData({ orderId: (query && query.id) || '' });
    if (!this.data.orderId) {
      this.setData({ loading: false, error: '缺少订单号' });
      return Promise.resolve();
    }
    var self = this;
    return this.refresh().then(function () {
      self.startWatching();
    });
  },

  onUnload: function () {
    this.stopCountdown();
    this.stopWatching();
  },

  onPullDownRefresh: function () {
    return this.refresh().then(function () {
      wx.stopPullDownRefresh();
    });
  },

  // Fetches the view. Answers that arrive out of order never replace a newer version.
  refresh: function () {
    var self = this;
    return api.callOrder('get', { orderId: this.data.orderId }).then(function (r) {
      if (!r.ok) {
        self.setData({ loading: false, error: r.error.message });
        if (!self.data.order) return;
        api.toast(r.error.message);
        return;
      }
      var current = self.data.order;
      if (current && r.order.version < current.version) return;
      self.setData({ order: r.order, loading: false, error: '' });
      self.startCountdown(r.order.countdown);
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
  // `doc(id).watch()` would be refused (see README, 「数据库权限」).
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
            // Watching is a convenience: the page still works, pull down to refresh.
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
    this.setData({ busy: true });
    return actions
      .run(ds.key, { orderId: this.data.orderId, afterSaleId: ds.afterSaleId || '', command: ds.command || '', label: ds.label || '', order: this.data.order })
      .then(function (outcome) {
        self.setData({ busy: false });
        if (outcome.order && outcome.order.version >= self.data.order.version) {
          self.setData({ order: outcome.order });
          self.startCountdown(outcome.order.countdown);
          return;
        }
        if (outcome.changed || outcome.stale) return self.refresh();
      });
  },

  onCopyNumber: function () {
    if (this.data.order) wx.setClipboardData({ data: this.data.order.number });
  }
});
