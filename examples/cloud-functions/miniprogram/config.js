// Settings of this mini program. Replace the placeholders before the first preview
// (see ../README.md, 「配置」).
module.exports = {
  // 云开发环境 ID (cloud development environment id), from the DevTools 云开发 console.
  // Placeholder: the app refuses to call functions until it is replaced.
  envId: 'YOUR-CLOUD-ENV-ID',
  // 订阅消息模板 ID (subscribe-message template ids) asked for at the moment of payment:
  // 支付成功、发货、退款结果 … at most 3 per request. Empty ids are skipped.
  subscribeTemplateIds: ['', '', ''],
  // Orders per page in 我的订单 (the cloud function caps a page at 100).
  pageSize: 20
};
