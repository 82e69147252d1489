/** In your app: import { … } from 'wx-orderkit/analytics'. */
export * from '../../../../src/analytics/index.js';
