/** In your app: import { … } from 'wx-orderkit/postgres'. */
export * from '../../../../src/adapters/postgres/index.js';
