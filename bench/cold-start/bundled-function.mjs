// The source of a cloud function deployed as ONE bundled file (the "bundled function" rows of
// `npm run bench -- cold-start` and `npm run size`): it imports what bench/cold-start/first-call.cjs
// uses from the published ESM build (wx-orderkit, /wechatpay, /wx-cloud; the package's exports map
// resolves them to dist/*.js), and bench/cold-start/bundle.mjs bundles it with esbuild into one
// CommonJS file, tree-shaken. The cloud database's stand-in (wx-orderkit/testing) is bundled too,
// as in the plain first call it is loaded beside the function. first-call.cjs runs the result when
// given it as its third argument.
import { createOrderService, priceCart } from 'wx-orderkit';
import { applyPaymentNotice, handlePaymentNotification, notificationResponse } from 'wx-orderkit/wechatpay';
import { WxCloudOrderStore } from 'wx-orderkit/wx-cloud';
import { createCloudDatabaseStandIn } from 'wx-orderkit/testing';

export const orderkit = { createOrderService, priceCart };
export const wechatpay = { applyPaymentNotice, handlePaymentNotification, notificationResponse };
export const wxCloud = { WxCloudOrderStore };
export const testing = { createCloudDatabaseStandIn };
