/** In your own app: 'wx-orderkit/advanced'. */
export * from '../../../../src/advanced.js';
