// 确认订单. The `order` function prices the cart (orderkit's priceCart, with the best coupons from
// bestCoupons preselected) and explains every number; the page shows it, lets the shopper pick
// other coupons, an address and a note, then places the order and pays. Placing carries an
// idempotency key made once per visit, so a double tap or a retry after a network error never
// places two orders.
var api = require('../../utils/api.js');
var payment = require('../../utils/payment.js');
var actions = require('../../utils/actions.js');

function hasAction(view, key) {
  var list = (view && view.actions) || [];
  for (var i = 0; i < list.length; i++) if (list[i].key === key) return true;
  return false;
}

function newKey() {
  return 'checkout-' + Date.now().toString(36) + '-' + Math.floor(Math.random() * 1e9).toString(36);
}

Page({
  data: {
    cart: [],
    quote: null,
    coupons: [],
    // null: let the function choose the best coupons; an array: the shopper's own choice.
    couponIds: null,
    selectedCouponIds: [],
    pickerOpen: false,
    address: null,
    remark: '',
    // What each SKU has left and its 限购, by SKU (only when the shop keeps stock).
    stock: {},
    // 余额 (docs/payment-sources.md): what the shopper holds (null: the shop keeps none), whether to
    // use it, and the part it pays (never more than the total; WeChat Pay pays the rest).
    balance: null,
    useBalance: false,
    balancePart: 0,
    wechatPart: 0,
    // 配送方式 (docs/delivery.md): express, local courier (a district and a slot) or store pickup.
    deliveryOptions: null,
    deliveryMode: 'express',
    zoneIndex: 0,
    storeIndex: 0,
    slotIndex: 0,
    loading: true,
    submitting: false,
    error: '',
    // Physical goods in the cart (the function says so with the quote): an address is required.
    needsAddress: false,
    addressMissing: false
  },

  onLoad: function (query) {
    var cart = null;
    if (query && query.cart) {
      try {
        cart = JSON.parse(decodeURIComponent(query.cart));
      } catch (e) {
        cart = null;
      }
    }
    if (!cart) cart = getApp().globalData.cart || [];
    this._idempotencyKey = newKey();
    this.setData({ cart: cart });
    return this.price();
  },

  // The delivery the shopper picked, as the function takes it; nothing for express (the default).
  deliveryChoice: function () {
    var d = this.data;
    var options = d.deliveryOptions;
    if (d.deliveryMode === 'local' && options && options.local) {
      var zone = options.local.zones[d.zoneIndex];
      var slot = options.local.slots[d.slotIndex];
      if (zone && slot) return { mode: 'local', zone: zone.id, slot: slot };
    }
    if (d.deliveryMode === 'pickup' && options && options.pickup) {
      var store = options.pickup.stores[d.storeIndex];
      if (store) return { mode: 'pickup', storeId: store.id };
    }
    return null;
  },

  // keepMessage: re-pricing after a failed submit must not wipe the message that says why.
  price: function (keepMessage) {
    var self = this;
    this.setData({ loading: true });
    var data = { cart: this.data.cart, couponIds: this.data.couponIds };
    var delivery = this.deliveryChoice();
    if (delivery) data.delivery = delivery;
    return api.callOrder('quote', data).then(function (r) {
      if (!r.ok) {
        self.setData({ loading: false, error: r.error.message });
        return;
      }
      var stock = {};
      var levels = r.stock || [];
      for (var i = 0; i < levels.length; i++) stock[levels[i].sku] = levels[i];
      self.setData({
        loading: false,
        error: keepMessage === true ? self.data.error : '',
        stock: stock,
        quote: r.quote,
        coupons: r.coupons || [],
        selectedCouponIds: r.quote.couponIds || [],
        balance: r.balance || null,
        needsAddress: r.needsAddress === true,
        deliveryOptions: r.deliveryOptions || null
      });
      self.splitPayment();
    });
  },

  // The balance pays what it can of the total, WeChat Pay the rest (fen, whole numbers).
  splitPayment: function () {
    var total = this.data.quote ? this.data.quote.total.fen : 0;
    var held = this.data.balance ? this.data.balance.fen : 0;
    var part = this.data.useBalance ? Math.min(held, total) : 0;
    this.setData({ balancePart: part, wechatPart: total - part });
  },

  onToggleBalance: function () {
    if (!this.data.balance || this.data.balance.fen <= 0) return;
    this.setData({ useBalance: !this.data.useBalance });
    this.splitPayment();
  },

  onPickMode: function (e) {
    var mode = e.currentTarget.dataset.mode;
    if (!mode || mode === this.data.deliveryMode) return;
    this.setData({ deliveryMode: mode, zoneIndex: 0, storeIndex: 0, slotIndex: 0 });
    return this.price();
  },

  onPickZone: function (e) {
    this.setData({ zoneIndex: Number(e.currentTarget.dataset.index) || 0 });
    return this.price();
  },

  onPickStore: function (e) {
    this.setData({ storeIndex: Number(e.currentTarget.dataset.index) || 0 });
    return this.price();
  },

  onPickSlot: function (e) {
    this.setData({ slotIndex: Number(e.currentTarget.dataset.index) || 0 });
    return this.price();
  },

  onOpenCoupons: function () {
    this.setData({ pickerOpen: !this.data.pickerOpen });
  },

  // One coupon per order is the default rule; the function rejects combinations the shop's
  // stacking rules do not allow and says why in `rejectedCoupons`.
  onPickCoupon: function (e) {
    var id = e.currentTarget.dataset.id;
    var chosen = id ? [id] : [];
    this.setData({ couponIds: chosen, pickerOpen: false });
    return this.price();
  },

  onChooseAddress: function () {
    var self = this;
    return actions.chooseAddress().then(function (address) {
      if (address) self.setData({ address: address, addressMissing: false });
    });
  },

  onRemarkInput: function (e) {
    this.setData({ remark: e.detail.value });
  },

  // 重试 when the quote could not be loaded.
  onRetry: function () {
    this.setData({ error: '' });
    return this.price();
  },

  onSubmit: function () {
    if (this.data.submitting || !this.data.quote) return;
    // Physical goods need somewhere to go: nothing is placed without an address.
    if (this.data.needsAddress && !this.data.address) {
      this.setData({ addressMissing: true });
      api.toast('请选择收货地址');
      return;
    }
    // First thing in the tap: the moment a mini program may ask for subscribe messages.
    var subscriptions = payment.askSubscriptions();
    var self = this;
    this.setData({ submitting: true, error: '' });
    var data = {
      cart: this.data.cart,
      couponIds: this.data.selectedCouponIds,
      idempotencyKey: this._idempotencyKey
    };
    if (this.data.address) data.address = this.data.address;
    if (this.data.remark) data.remark = this.data.remark;
    if (this.data.balancePart > 0) data.useBalance = this.data.balancePart;
    var delivery = this.deliveryChoice();
    if (delivery) data.delivery = delivery;
    return api.callOrder('place', data).then(function (r) {
      if (!r.ok) {
        // 库存不足 / 已达限购 come with their numbers; the re-pricing below shows the stock left now.
        self.setData({ submitting: false, error: r.error.message });
        api.toast(r.error.message);
        // Prices or coupons may have changed meanwhile: show the current quote.
        if (r.error.code !== 'NETWORK_ERROR') return self.price(true);
        return;
      }
      var order = r.order;
      var detail = '/pages/order-detail/index?id=' + order.id;
      if (!hasAction(order, 'pay')) {
        wx.redirectTo({ url: detail });
        return;
      }
      return payment.payOrder(order.id, subscriptions).then(function (p) {
        self.setData({ submitting: false });
        // Paid or not, the order exists now: its detail page shows where it stands (待付款 with
        // the time left to pay after a cancel, 待发货 once the payment callback arrived).
        api.toast(p.ok ? '支付成功' : p.error.message, p.ok ? 'success' : 'none');
        // Paid: the detail page opens in 支付确认中 until the server has the payment.
        wx.redirectTo({ url: p.ok ? detail + '&paying=1' : detail });
      });
    });
  }
});
