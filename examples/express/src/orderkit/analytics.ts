/** In your app: import { … } from 'orderkit/analytics'. */
export * from '../../../../src/analytics/index.js';
