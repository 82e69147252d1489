/** In your app: import { … } from 'wx-orderkit/wechatpay'. */
export * from '../../../../src/wechat/index.js';
