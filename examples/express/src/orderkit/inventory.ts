/** In your own app: 'wx-orderkit/inventory'. */
export * from '../../../../src/inventory/index.js';
