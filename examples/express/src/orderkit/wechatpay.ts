/** In your app: import { … } from 'orderkit/wechatpay'. */
export * from '../../../../src/wechat/index.js';
