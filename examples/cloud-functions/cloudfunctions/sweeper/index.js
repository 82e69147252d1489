// The `sweeper` cloud function, run every minute by the timer in config.json: it expires unpaid
// orders, confirms receipt automatically when due, and delivers the outbox (subscribe messages,
// shipping-info uploads, refunds, closing payments). See handler.js.
const cloud = require('wx-server-sdk');

cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });

const orderkit = require('wx-orderkit');
const wechatpay = require('wx-orderkit/wechatpay');
const wxCloud = require('wx-orderkit/wx-cloud');
const { createSweeper } = require('./handler');
const { readSettings } = require('./settings');
const { createTemplates } = require('./templates');
const { createWechatPayClient } = require('./wechatpay-client');

const settings = readSettings(process.env);
const handle = createSweeper({
  cloud,
  orderkit,
  wechatpay,
  wxCloud,
  settings,
  templates: createTemplates(process.env),
  wechatpayClient: settings.payMode === 'v3' ? createWechatPayClient(settings, wechatpay) : null,
});

exports.main = async (event, context) => handle(event, context);
