var config = require('./config.js');

App({
  globalData: {
    // The cart the checkout page prices. A real shop fills it from its product pages; this demo
    // starts with two SKUs of the `order` function's sample catalogue.
    cart: [
      { sku: 'OAT-1KG', quantity: 2 },
      { sku: 'MILK-250', quantity: 6 }
    ],
    envReady: false
  },

  onLaunch: function () {
    if (!wx.cloud) {
      console.error('请使用 2.2.3 或以上的基础库以使用云能力 (cloud needs base library >= 2.2.3)');
      return;
    }
    if (!config.envId || config.envId === 'YOUR-CLOUD-ENV-ID') {
      console.warn('miniprogram/config.js: 请把 envId 改成你的云开发环境 ID (set envId to your environment id)');
    }
    wx.cloud.init({
      env: config.envId,
      traceUser: true
    });
    this.globalData.envReady = true;
  }
});
