// The `payCallback` cloud function: WeChat Pay results. cloud.cloudPay calls it directly (payment
// and refund results); with PAY_MODE=v3 it also serves the notify_url through the cloud
// environment's HTTP access service. See handler.js.
const cloud = require('wx-server-sdk');

cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });

const orderkit = require('wx-orderkit');
const wechatpay = require('wx-orderkit/wechatpay');
const wxCloud = require('wx-orderkit/wx-cloud');
const { createPayCallback } = require('./handler');
const { readSettings } = require('./settings');

const handle = createPayCallback({ cloud, orderkit, wechatpay, wxCloud, settings: readSettings(process.env) });

exports.main = async (event, context) => handle(event, context);
