// TEST STUB of wx-server-sdk (test/cloud-deploy): the parts the example functions use. Each
// function folder gets its own copy (as it would of the real SDK), so the state they share - the
// database (orderkit's cloud database stand-in, set by the driver), the caller and the recorded
// calls - lives on globalThis.
const state = (globalThis.__wxServerSdkStub = globalThis.__wxServerSdkStub || {
  db: null,
  context: {},
  inits: [],
  calls: { subscribeMessage: [], uploadShippingInfo: [], unifiedOrder: [], refund: [], closeOrder: [], queryOrder: [] },
});

let transactions = 0;
const ok = () => ({ returnCode: 'SUCCESS', resultCode: 'SUCCESS' });

module.exports = {
  DYNAMIC_CURRENT_ENV: Symbol('DYNAMIC_CURRENT_ENV'),
  init(options) {
    state.inits.push(options);
  },
  database() {
    if (!state.db) throw new Error('wx-server-sdk stub: no database set');
    return state.db;
  },
  getWXContext() {
    return Object.assign({ ENV: 'test-env-1a2b', APPID: 'wxd678efh567hg6787' }, state.context);
  },
  openapi: {
    subscribeMessage: {
      send: async (p) => {
        state.calls.subscribeMessage.push(p);
        return { errcode: 0, errmsg: 'openapi.subscribeMessage.send:ok' };
      },
    },
    wxa: {
      sec: {
        order: {
          uploadShippingInfo: async (p) => {
            state.calls.uploadShippingInfo.push(p);
            return { errcode: 0, errmsg: 'ok' };
          },
        },
      },
    },
  },
  cloudPay: {
    unifiedOrder: async (p) => {
      state.calls.unifiedOrder.push(p);
      transactions += 1;
      return Object.assign(ok(), {
        payment: { appId: 'wxd678efh567hg6787', timeStamp: '1764043200', nonceStr: p.nonceStr, package: 'prepay_id=wx' + transactions, signType: 'MD5', paySign: 'stub' },
      });
    },
    refund: async (p) => {
      state.calls.refund.push(p);
      return ok();
    },
    closeOrder: async (p) => {
      state.calls.closeOrder.push(p);
      return ok();
    },
    queryOrder: async (p) => {
      state.calls.queryOrder.push(p);
      return Object.assign(ok(), { tradeState: 'NOTPAY' });
    },
  },
};
