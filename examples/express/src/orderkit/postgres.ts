/** In your app: import { … } from 'orderkit/postgres'. */
export * from '../../../../src/adapters/postgres/index.js';
