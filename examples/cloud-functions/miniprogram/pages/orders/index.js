// 我的订单: tabs with counts, pages of 20 loaded at the bottom, pull-down refresh. The tabs, the
// counts and every card come from the `order` function (its `list` action); the page only keeps
// track of which tab is open and where the next page starts.
var api = require('../../utils/api.js');
var config = require('../../config.js');
var actions = require('../../utils/actions.js');
var nav = require('../../utils/nav.js');

Page({
  data: {
    tabs: [],
    activeTab: 'all',
    items: [],
    nextCursor: null,
    loading: false,
    finished: false,
    error: '',
    retriable: false,
    busyOrderId: ''
  },

  onLoad: function (query) {
    if (query && query.tab) this.setData({ activeTab: query.tab });
    this.reload();
  },

  onShow: function () {
    // Coming back from a detail page where the order may have changed: refresh what is shown.
    if (this._shownOnce) this.reload();
    this._shownOnce = true;
  },

  onPullDownRefresh: function () {
    return this.reload().then(function () {
      wx.stopPullDownRefresh();
    });
  },

  onReachBottom: function () {
    if (this.data.loading || this.data.finished) return Promise.resolve();
    return this.loadPage(this.data.nextCursor);
  },

  onTabTap: function (e) {
    var key = e.currentTarget.dataset.key;
    if (key === this.data.activeTab) return;
    this.setData({ activeTab: key });
    return this.reload();
  },

  // The first page of the active tab, with fresh counts.
  reload: function () {
    this._generation = (this._generation || 0) + 1;
    this.setData({ items: [], nextCursor: null, finished: false, error: '', loading: false });
    return this.loadPage(null);
  },

  loadPage: function (cursor) {
    var self = this;
    var generation = this._generation;
    var tab = this.data.activeTab;
    this.setData({ loading: true });
    return api
      .callOrder('list', { tab: tab, cursor: cursor, limit: config.pageSize })
      .then(function (r) {
        // A tab switch while this page was loading: drop the stale answer.
        if (generation !== self._generation) return;
        if (!r.ok) {
          self.setData({ loading: false, error: r.error.message, retriable: api.isRetriable(r.error) });
          api.toast(r.error.message);
          return;
        }
        self.setData({
          tabs: r.tabs || self.data.tabs,
          items: self.data.items.concat(r.items || []),
          nextCursor: r.nextCursor || null,
          finished: !r.nextCursor,
          loading: false,
          error: '',
          retriable: false
        });
      });
  },

  // 重试 after a failed page: the first page again, or the next one when some are shown.
  onRetry: function () {
    if (this.data.items.length === 0) return this.reload();
    this.setData({ error: '', retriable: false });
    return this.loadPage(this.data.nextCursor);
  },

  onOpenOrder: function (e) {
    nav.open('/pages/order-detail/index?id=' + e.detail.orderId);
  },

  itemOf: function (orderId) {
    var items = this.data.items;
    for (var i = 0; i < items.length; i++) if (items[i].id === orderId) return items[i];
    return null;
  },

  onCardAction: function (e) {
    var self = this;
    var orderId = e.detail.orderId;
    if (this.data.busyOrderId) return;
    this.setData({ busyOrderId: orderId });
    return actions
      .run(e.detail.key, { orderId: orderId, afterSaleId: e.detail.afterSaleId, command: e.detail.command, label: e.detail.label, order: this.itemOf(orderId) })
      .then(function (outcome) {
        self.setData({ busyOrderId: '' });
        // Paid from the list: the detail page confirms it (支付确认中) instead of this card still
        // saying 待付款 until the payment notification arrives; the list reloads when it shows again.
        if (outcome.paid) {
          nav.open('/pages/order-detail/index?id=' + orderId + '&paying=1');
          return;
        }
        if (outcome.changed || outcome.stale) return self.reload();
      });
  }
});
