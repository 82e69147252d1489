// 申请售后, and the return form of an approved 退货退款. The shopper picks lines and quantities, the
// kind and a reason; after every change the `order` function quotes the exact refund with
// orderkit's refundQuote (from the amounts stored at placement), and the page shows that number
// before anything is submitted. The page computes no money itself.
var api = require('../../utils/api.js');
var photos = require('../../utils/photos.js');
var nav = require('../../utils/nav.js');

var REASONS = ['不想要了', '商品质量问题', '商品与描述不符', '少件/漏发', '其他'];

function findById(list, id) {
  for (var i = 0; i < (list || []).length; i++) if (list[i].id === id) return list[i];
  return null;
}

Page({
  data: {
    orderId: '',
    afterSaleId: '',
    mode: 'request',
    order: null,
    afterSale: null,
    lines: [],
    kind: 'refund_only',
    kinds: [
      { key: 'refund_only', label: '仅退款' },
      { key: 'return_and_refund', label: '退货退款' }
    ],
    reasons: REASONS,
    reasonIndex: -1,
    detailText: '',
    quote: null,
    quoteError: '',
    trackingNo: '',
    expressCompany: '',
    submitting: false,
    loading: true,
    error: '',
    retriable: false,
    // Photos of the problem: { path, fileID? } (docs/mini-program.md "After-sale photos").
    photos: [],
    maxPhotos: photos.MAX_PHOTOS
  },

  onLoad: function (query) {
    this.setData({
      orderId: (query && query.id) || '',
      afterSaleId: (query && query.afterSaleId) || '',
      mode: query && query.afterSaleId ? 'return' : 'request'
    });
    return this.load();
  },

  load: function () {
    var self = this;
    return api.callOrder('get', { orderId: this.data.orderId }).then(function (r) {
      if (!r.ok) {
        self.setData({ loading: false, error: r.error.message, retriable: api.isRetriable(r.error) });
        return;
      }
      var view = r.order;
      var patch = { order: view, loading: false, error: '', retriable: false };
      if (self.data.mode === 'return') {
        patch.afterSale = findById(view.afterSales, self.data.afterSaleId);
        patch.canShipReturn = !!patch.afterSale && patch.afterSale.actions.some(function (a) {
          return a.key === 'returnShipped';
        });
      } else {
        patch.lines = view.lines.map(function (l) {
          return {
            lineId: l.id,
            title: l.title,
            image: l.image || '',
            ordered: l.quantity,
            refundable: l.refundableQuantity,
            returnable: l.returnableQuantity,
            max: self.data.kind === 'return_and_refund' ? l.returnableQuantity : l.refundableQuantity,
            quantity: 0,
            payableFen: l.payable.fen
          };
        });
      }
      self.setData(patch);
    });
  },

  onRetry: function () {
    this.setData({ loading: true, error: '', retriable: false });
    return this.load();
  },

  onAddPhotos: function () {
    var self = this;
    return photos.choose(photos.MAX_PHOTOS - this.data.photos.length).then(function (r) {
      if (r.error) return api.toast(r.error);
      if (r.files.length > 0) self.setData({ photos: self.data.photos.concat(r.files) });
      if (r.refused > 0) api.toast('有 ' + r.refused + ' 张图片超过 10MB 或超出 ' + photos.MAX_PHOTOS + ' 张，未添加');
    });
  },

  onRemovePhoto: function (e) {
    var index = Number(e.currentTarget.dataset.index);
    var list = this.data.photos.slice();
    list.splice(index, 1);
    this.setData({ photos: list });
  },

  selectedItems: function () {
    return this.data.lines
      .filter(function (l) {
        return l.quantity > 0;
      })
      .map(function (l) {
        return { lineId: l.lineId, quantity: l.quantity };
      });
  },

  onStep: function (e) {
    var index = Number(e.currentTarget.dataset.index);
    var delta = Number(e.currentTarget.dataset.delta);
    var line = this.data.lines[index];
    if (!line) return;
    var next = Math.max(0, Math.min(line.max, line.quantity + delta));
    if (next === line.quantity) return;
    var patch = {};
    patch['lines[' + index + '].quantity'] = next;
    this.setData(patch);
    return this.requote();
  },

  // The caps per kind come from the view (orderkit's holdings): a return can only take units that
  // were shipped, a refund-only any unit not yet claimed.
  onKind: function (e) {
    var kind = e.currentTarget.dataset.kind;
    var lines = this.data.lines.map(function (l) {
      var max = kind === 'return_and_refund' ? l.returnable : l.refundable;
      return Object.assign({}, l, { max: max, quantity: Math.min(l.quantity, max) });
    });
    this.setData({ kind: kind, lines: lines });
    return this.requote();
  },

  onReason: function (e) {
    this.setData({ reasonIndex: Number(e.detail.value) });
  },

  onDetailInput: function (e) {
    this.setData({ detailText: e.detail.value });
  },

  // The refund for the current choice. Answers to older choices are dropped.
  requote: function () {
    var self = this;
    var items = this.selectedItems();
    this._quoteSeq = (this._quoteSeq || 0) + 1;
    var seq = this._quoteSeq;
    if (items.length === 0) {
      this.setData({ quote: null, quoteError: '' });
      return Promise.resolve();
    }
    return api.callOrder('refundQuote', { orderId: this.data.orderId, kind: this.data.kind, items: items }).then(function (r) {
      if (seq !== self._quoteSeq) return;
      if (!r.ok) {
        self.setData({ quote: null, quoteError: r.error.message });
        return;
      }
      self.setData({ quote: r.quote, quoteError: '' });
    });
  },

  reasonText: function () {
    var base = this.data.reasonIndex >= 0 ? REASONS[this.data.reasonIndex] : '';
    var extra = (this.data.detailText || '').trim();
    return extra ? (base ? base + '：' + extra : extra) : base;
  },

  onSubmit: function () {
    var self = this;
    if (this.data.submitting) return;
    var items = this.selectedItems();
    if (items.length === 0) return api.toast('请选择要售后的商品和数量');
    if (!this.data.quote) return api.toast(this.data.quoteError || '正在计算退款金额，请稍候');
    var reason = this.reasonText();
    if (!reason) return api.toast('请选择售后原因');
    this.setData({ submitting: true, error: '' });
    // Photos go up first; when one fails nothing is submitted (the uploaded ones are kept, so the
    // next tap uploads only the rest).
    return photos
      .uploadAll(this.data.orderId, this.data.photos)
      .then(function (up) {
        self.setData({ photos: up.photos });
        if (!up.ok) {
          self.setData({ submitting: false, error: '图片上传失败，请重试' });
          api.toast('图片上传失败，请重试');
          return null;
        }
        var data = { orderId: self.data.orderId, kind: self.data.kind, items: items, reason: reason };
        if (up.photos.length > 0) {
          data.photos = up.photos.map(function (p) {
            return p.fileID;
          });
        }
        return api.callOrder('requestAfterSale', data);
      })
      .then(function (r) {
        if (!r) return;
        self.setData({ submitting: false });
        if (!r.ok) {
          self.setData({ error: r.error.message });
          api.toast(r.error.message);
          if (api.isStale(r.error)) return self.load();
          return;
        }
        api.toast('售后申请已提交', 'success');
        // Back to the detail page (it refreshes in onShow), never a second copy of it.
        nav.back('/pages/order-detail/index?id=' + self.data.orderId);
      });
  },

  onTrackingInput: function (e) {
    this.setData({ trackingNo: e.detail.value });
  },

  onCompanyInput: function (e) {
    this.setData({ expressCompany: e.detail.value });
  },

  onSubmitReturn: function () {
    var self = this;
    if (this.data.submitting) return;
    var trackingNo = (this.data.trackingNo || '').trim();
    var expressCompany = (this.data.expressCompany || '').trim();
    if (!trackingNo || !expressCompany) return api.toast('请填写快递公司和运单号');
    this.setData({ submitting: true });
    return api
      .callOrder('returnShipped', {
        orderId: this.data.orderId,
        afterSaleId: this.data.afterSaleId,
        trackingNo: trackingNo,
        expressCompany: expressCompany
      })
      .then(function (r) {
        self.setData({ submitting: false });
        if (!r.ok) {
          self.setData({ error: r.error.message });
          api.toast(r.error.message);
          if (api.isStale(r.error)) return self.load();
          return;
        }
        api.toast('退货信息已提交', 'success');
        nav.back('/pages/order-detail/index?id=' + self.data.orderId);
      });
  }
});
