// The `order` cloud function: every shopper action of the mini program (see handler.js).
// This file is the deployable shell: it wires wx-server-sdk and orderkit into the handler.
const cloud = require('wx-server-sdk');

cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });

const orderkit = require('wx-orderkit');
const wechatpay = require('wx-orderkit/wechatpay');
const wxCloud = require('wx-orderkit/wx-cloud');
const { createOrderFunction } = require('./handler');
const { readSettings } = require('./settings');
const shop = require('./shop');
const { createWechatPayClient } = require('./wechatpay-client');

const settings = readSettings(process.env);
const handle = createOrderFunction({
  cloud,
  orderkit,
  wechatpay,
  wxCloud,
  settings,
  shop,
  wechatpayClient: settings.payMode === 'v3' ? createWechatPayClient(settings, wechatpay) : null,
  // 余额 (docs/payment-sources.md); remove this line for a shop without stored balances.
  balance: new wxCloud.WxCloudBalance(cloud.database()),
});

exports.main = async (event, context) => handle(event, context);
