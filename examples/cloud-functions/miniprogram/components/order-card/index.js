// One order in 我的订单. It shows what the `order` function's list view says (orderListItemView)
// and reports taps to the page; it decides nothing about the order itself.
Component({
  options: {
    addGlobalClass: true
  },
  properties: {
    order: { type: Object, value: null },
    // Set by the page while an action of this card is running, so a second tap does nothing.
    busy: { type: Boolean, value: false }
  },
  methods: {
    onOpen: function () {
      if (!this.data.order) return;
      this.triggerEvent('open', { orderId: this.data.order.id });
    },
    onAction: function (e) {
      if (this.data.busy || !this.data.order) return;
      var ds = e.currentTarget.dataset;
      this.triggerEvent('action', { orderId: this.data.order.id, key: ds.key, command: ds.command || '', label: ds.label || '', afterSaleId: ds.afterSaleId || '' });
    }
  }
});
